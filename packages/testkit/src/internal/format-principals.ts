import type { AuthService, IssuedToken, Principal, RepoAction } from '@depot/core';

/** The stock callers a format harness can act as. */
export type HarnessRole = 'anonymous' | 'reader' | 'writer' | 'admin';

/** What each stock role may do on every repository. Anonymous reads, like a public instance. */
const GRANTS: Readonly<Record<HarnessRole, readonly RepoAction[]>> = {
  anonymous: ['read'],
  reader: ['read'],
  writer: ['read', 'write', 'delete'],
  admin: ['read', 'write', 'delete'],
};

/** A stand-in for the server's principal: `role` decides what `can` answers, on every repository. */
export function harnessPrincipal(role: HarnessRole): Principal {
  const allowed = new Set<RepoAction>(GRANTS[role]);
  return {
    username: role,
    anonymous: role === 'anonymous',
    admin: role === 'admin',
    can: (action) => allowed.has(action),
  };
}

/** A principal given as a role name or as a full object (for per-repository grants). */
export type PrincipalInput = HarnessRole | Principal;

/** Resolves a {@link PrincipalInput}. */
export function resolvePrincipal(input: PrincipalInput): Principal {
  return typeof input === 'string' ? harnessPrincipal(input) : input;
}

/** Credentials the stand-in {@link AuthService} accepts: username → password and role. */
export type HarnessUsers = Readonly<Record<string, { readonly password: string; readonly role: HarnessRole }>>;

/**
 * A stand-in for the server's {@link AuthService}: checks passwords against `users`, issues opaque
 * tokens `harness-<username>-<n>`; {@link HarnessAuth.principalForToken} maps them back.
 */
export interface HarnessAuth extends AuthService {
  principalForToken(token: string): Principal | null;
}

/** Builds the stand-in auth service. */
export function harnessAuth(users: HarnessUsers = {}): HarnessAuth {
  const tokens = new Map<string, Principal>();
  let issued = 0;
  return {
    async verifyPassword(username, password) {
      const user = users[username];
      if (user === undefined || user.password !== password) return null;
      return { ...harnessPrincipal(user.role), username };
    },
    async issueToken(principal): Promise<IssuedToken> {
      const token = `harness-${principal.username}-${++issued}`;
      tokens.set(token, principal);
      return { token, expiresInSecs: 3600 };
    },
    principalForToken: (token) => tokens.get(token) ?? null,
    userExists: async (username) => username in users || username in GRANTS,
  };
}
