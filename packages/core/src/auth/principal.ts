/** What a grant allows on a repository. */
export type RepoAction = 'read' | 'write' | 'delete';

/**
 * The caller of a request, as resolved by the server's authentication. Formats ask it, never the
 * user records, whether an action is allowed.
 */
export interface Principal {
  readonly username: string;
  /** True for the built-in `anonymous` user (no credentials were sent). */
  readonly anonymous: boolean;
  /** Holds the administration grant. */
  readonly admin: boolean;
  /** Whether this principal may perform `action` on the repository named `repo`. */
  can(action: RepoAction, repo: string): boolean;
}

/** A bearer token issued for a principal (for the Docker and npm token endpoints). */
export interface IssuedToken {
  readonly token: string;
  readonly expiresInSecs: number;
}

/**
 * The part of authentication formats may use: verifying credentials a protocol sends in its body
 * (npm login) and issuing tokens (OCI `/v2/token`). The server implements it.
 */
export interface AuthService {
  /** Checks a username and password; `null` when they are wrong. */
  verifyPassword(username: string, password: string): Promise<Principal | null>;
  issueToken(principal: Principal): Promise<IssuedToken>;
  /**
   * Whether `username` is a user the server knows (for formats that name users, such as crate
   * owners). Hosts without a user directory leave it out; formats then accept any name.
   */
  userExists?(username: string): Promise<boolean>;
}

/** A principal allowed everything: for embedders and tests without access control. */
export const SYSTEM_PRINCIPAL: Principal = {
  username: 'system',
  anonymous: false,
  admin: true,
  can: () => true,
};
