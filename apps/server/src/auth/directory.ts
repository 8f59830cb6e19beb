import { badRequest, conflict, DepotError, notFound } from '@depot/core';
import type { RoleRecord, UserRecord } from '../records/server-records.js';
import type { AuthContext } from './internal/context.js';
import { hashPassword, newTokenSecret } from './passwords.js';
import { ANONYMOUS } from './principals.js';

/** The role bootstrap creates; it cannot be deleted, renamed or lose its admin flag. */
export const ADMIN_ROLE = 'admin';

/** A user as the API shows it: never the hash or the token secret. */
export interface UserView {
  readonly username: string;
  readonly roles: string[];
  readonly must_change_password: boolean;
  readonly source: 'builtin' | 'ldap';
  readonly created_at: string;
  readonly updated_at: string;
}

/** Strips secrets from a user record. */
export const userView = (u: UserRecord): UserView => ({
  username: u.username,
  roles: [...u.roles],
  must_change_password: u.must_change_password,
  source: u.source,
  created_at: u.created_at,
  updated_at: u.updated_at,
});

/** Every record of a view. */
export async function all<T>(view: { scan(): AsyncIterable<{ id: string; record: T }> }): Promise<T[]> {
  const out: T[] = [];
  for await (const { record } of view.scan()) out.push(record);
  return out;
}

/**
 * How many users would hold an admin role if `override` applied (a user's new roles, `null` for a
 * deleted user) and `roleOverride` (a role's new record, `null` for a deleted one).
 */
export async function adminCountAfter(
  ctx: AuthContext,
  override: { readonly username: string; readonly roles: readonly string[] | null } | null,
  roleOverride: { readonly name: string; readonly role: RoleRecord | null } | null = null,
): Promise<number> {
  const roles = new Map((await all(ctx.records.roles)).map((r) => [r.name, r]));
  if (roleOverride !== null) {
    if (roleOverride.role === null) roles.delete(roleOverride.name);
    else roles.set(roleOverride.name, roleOverride.role);
  }
  let count = 0;
  for (const user of await all(ctx.records.users)) {
    const names = override !== null && override.username === user.username ? override.roles : user.roles;
    if (names?.some((n) => roles.get(n)?.admin === true)) count++;
  }
  return count;
}

/** Refuses role names that do not exist (400). */
export async function assertRolesExist(ctx: AuthContext, roles: readonly string[]): Promise<void> {
  for (const name of roles)
    if ((await ctx.records.roles.get(name)) === null) throw badRequest(`role ${name} does not exist`);
}

/** Whether any of `roles` carries the admin flag. */
async function hasAdminRole(ctx: AuthContext, roles: readonly string[]): Promise<boolean> {
  for (const name of roles) if ((await ctx.records.roles.get(name))?.admin === true) return true;
  return false;
}

/** Fields a user update may change. */
export interface UserPatch {
  readonly password?: string | undefined;
  readonly roles?: readonly string[] | undefined;
  readonly must_change_password?: boolean | undefined;
}

/** Creates a builtin user (409 when the name is taken). */
export async function createUser(
  ctx: AuthContext,
  input: { username: string; password: string; roles: readonly string[]; must_change_password: boolean },
): Promise<UserRecord> {
  await assertRolesExist(ctx, input.roles);
  const now = new Date(ctx.now()).toISOString();
  const record: UserRecord = {
    username: input.username,
    password_hash: await hashPassword(input.password),
    roles: [...new Set(input.roles)],
    must_change_password: input.must_change_password,
    token_secret: newTokenSecret(),
    source: 'builtin',
    created_at: now,
    updated_at: now,
  };
  await ctx.records.users.putIfVersion(input.username, record, null).catch((err: unknown) => {
    throw err instanceof DepotError && err.code === 'CONFLICT' ? conflict(`user ${input.username} exists`) : err;
  });
  ctx.principals.invalidateUser(input.username);
  return record;
}

/** Applies `patch` to a user; a new password rotates `token_secret` (revoking its tokens). */
export function updateUser(ctx: AuthContext, username: string, patch: UserPatch): Promise<UserRecord> {
  return ctx.serialize(async () => {
    const found = await ctx.records.users.getVersioned(username);
    if (found === null) throw notFound(`user ${username} not found`);
    const user = found.record;
    if (patch.roles !== undefined) {
      await assertRolesExist(ctx, patch.roles);
      const roles = [...new Set(patch.roles)];
      if (username === ANONYMOUS && (await hasAdminRole(ctx, roles)))
        throw badRequest('the anonymous user cannot be an administrator');
      if ((await adminCountAfter(ctx, { username, roles })) === 0)
        throw badRequest('cannot demote the last administrator');
    }
    if (patch.password !== undefined && (user.source !== 'builtin' || username === ANONYMOUS)) {
      throw badRequest(
        username === ANONYMOUS ? 'the anonymous user has no password' : 'LDAP users change their password in LDAP',
      );
    }
    const next: UserRecord = {
      ...user,
      ...(patch.roles === undefined ? {} : { roles: [...new Set(patch.roles)] }),
      ...(patch.must_change_password === undefined ? {} : { must_change_password: patch.must_change_password }),
      ...(patch.password === undefined
        ? {}
        : { password_hash: await hashPassword(patch.password), token_secret: newTokenSecret() }),
      updated_at: new Date(ctx.now()).toISOString(),
    };
    await ctx.records.users.putIfVersion(username, next, found.version);
    forgetUser(ctx, username);
    return next;
  });
}

/** Deletes a user; the last administrator and `anonymous` cannot be deleted (400). */
export function deleteUser(ctx: AuthContext, username: string): Promise<void> {
  return ctx.serialize(async () => {
    if (username === ANONYMOUS) throw badRequest('the anonymous user cannot be deleted');
    if ((await ctx.records.users.get(username)) === null) throw notFound(`user ${username} not found`);
    if ((await adminCountAfter(ctx, { username, roles: null })) === 0)
      throw badRequest('cannot delete the last administrator');
    await ctx.records.users.delete(username);
    forgetUser(ctx, username);
  });
}

/** Rotates a user's `token_secret`: every token issued to them stops verifying. */
export function revokeUserTokens(ctx: AuthContext, username: string): Promise<UserRecord> {
  return ctx.serialize(async () => {
    const found = await ctx.records.users.getVersioned(username);
    if (found === null) throw notFound(`user ${username} not found`);
    const next = { ...found.record, token_secret: newTokenSecret(), updated_at: new Date(ctx.now()).toISOString() };
    await ctx.records.users.putIfVersion(username, next, found.version);
    forgetUser(ctx, username);
    return next;
  });
}

/** Drops every cached state of `username` in this process. */
export function forgetUser(ctx: AuthContext, username: string): void {
  ctx.principals.invalidateUser(username);
  ctx.credentials.forget(username);
}
