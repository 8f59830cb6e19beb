import type { Principal, RepoAction } from '@depot/core';
import { compileGlob, type GlobMatcher } from '@depot/core';
import type { RoleRecord, ServerRecords, UserRecord } from '../records/server-records.js';

/** The built-in user that unauthenticated requests run as. */
export const ANONYMOUS = 'anonymous';

/** A {@link Principal} that also knows the user record it was built from. */
export interface ResolvedPrincipal extends Principal {
  readonly roles: readonly string[];
  /** The user must change their password before doing anything else (see `requirePasswordCurrent`). */
  readonly mustChangePassword: boolean;
}

interface CompiledGrant {
  readonly action: RepoAction;
  readonly matches: GlobMatcher;
}

/** Builds the principal of `user` from the role records it names (missing roles grant nothing). */
export function buildPrincipal(
  username: string,
  user: UserRecord | null,
  roles: readonly (RoleRecord | null)[],
): ResolvedPrincipal {
  const grants: CompiledGrant[] = [];
  let admin = false;
  for (const role of roles) {
    if (role === null) continue;
    if (role.admin === true) admin = true;
    for (const g of role.capabilities) grants.push({ action: g.capability, matches: compileGlob(g.repo) });
  }
  return {
    username,
    anonymous: username === ANONYMOUS,
    admin,
    roles: user?.roles ?? [],
    mustChangePassword: user?.must_change_password === true,
    can: (action, repo) => grants.some((g) => g.action === action && g.matches(repo)),
  };
}

interface CachedUser {
  readonly user: UserRecord | null;
  readonly principal: ResolvedPrincipal;
  readonly expiresAt: number;
}

/**
 * User records and their principals, cached briefly per username so the request hot path does no
 * KV read. Changes made in this process invalidate at once; other instances converge within the
 * TTL (a few seconds).
 */
export class PrincipalCache {
  readonly #users = new Map<string, CachedUser>();
  readonly #roles = new Map<string, { readonly role: RoleRecord | null; readonly expiresAt: number }>();
  readonly #inflight = new Map<string, Promise<CachedUser>>();
  #generation = 0;

  constructor(
    private readonly records: ServerRecords,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The principal of `username` when held and fresh, without a KV read or an await; else `undefined`. */
  peek(username: string): ResolvedPrincipal | undefined {
    const hit = this.#users.get(username);
    return hit !== undefined && hit.expiresAt > this.now() ? hit.principal : undefined;
  }

  /** The user record (or `null`) and principal of `username`. */
  async get(username: string): Promise<CachedUser> {
    const hit = this.#users.get(username);
    if (hit !== undefined && hit.expiresAt > this.now()) return hit;
    let pending = this.#inflight.get(username);
    if (pending === undefined) {
      const load: Promise<CachedUser> = this.#load(username).finally(() => {
        if (this.#inflight.get(username) === load) this.#inflight.delete(username);
      });
      pending = load;
      this.#inflight.set(username, load);
    }
    return pending;
  }

  async #load(username: string): Promise<CachedUser> {
    const generation = this.#generation;
    const user = await this.records.users.get(username);
    const roles = await Promise.all((user?.roles ?? []).map((r) => this.#role(r)));
    const entry = { user, principal: buildPrincipal(username, user, roles), expiresAt: this.now() + this.ttlMs };
    // A change that landed while loading must not be overwritten by the stale read.
    if (generation === this.#generation) {
      if (this.#users.size > 10_000) this.#users.clear();
      this.#users.set(username, entry);
    }
    return entry;
  }

  async #role(name: string): Promise<RoleRecord | null> {
    const hit = this.#roles.get(name);
    if (hit !== undefined && hit.expiresAt > this.now()) return hit.role;
    const role = await this.records.roles.get(name);
    this.#roles.set(name, { role, expiresAt: this.now() + this.ttlMs });
    return role;
  }

  /** Drops one user (its record or roles changed). */
  invalidateUser(username: string): void {
    this.#generation++;
    this.#users.delete(username);
    this.#inflight.delete(username);
  }

  /** Drops everything (a role changed). */
  invalidateAll(): void {
    this.#generation++;
    this.#users.clear();
    this.#roles.clear();
    this.#inflight.clear();
  }
}
