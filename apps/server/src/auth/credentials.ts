import { DepotError } from '@depot/core';
import type { UserRecord } from '../records/server-records.js';
import type { AuthContext } from './internal/context.js';
import { ldapLogin, mapGroups } from './ldap-client.js';
import { fallsBackToBuiltin } from './ldap-config.js';
import { MAX_PASSWORD_LENGTH, newTokenSecret, verifyAgainstDummy, verifyPassword } from './passwords.js';

/** Usernames a login may carry (LDAP names may also contain `@`). Anything else is refused. */
const LOGIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

const invalid = (): DepotError => new DepotError('UNAUTHORIZED', 'invalid credentials');

/**
 * Checks a username and password and returns the user's record (created or refreshed for LDAP
 * users). Throws UNAUTHORIZED. Order (docs/auth.md "LDAP"): a builtin record is checked with
 * Argon2id; otherwise LDAP, when configured, decides; LDAP being down or not knowing the user falls
 * back to builtin users only when `fallback_to_builtin` is on, and always for administrators.
 *
 * Every attempt passes the login throttle first (per user, and per `client` when known): over its
 * limit the attempt is `RATE_LIMITED` without the password being checked.
 */
export async function verifyLogin(
  ctx: AuthContext,
  username: string,
  password: string,
  client?: string,
): Promise<UserRecord> {
  const settle = ctx.throttle.begin(username, client);
  let user: UserRecord;
  try {
    user = await checkLogin(ctx, username, password);
  } catch (err) {
    settle(false);
    throw err;
  }
  settle(true);
  return user;
}

async function checkLogin(ctx: AuthContext, username: string, password: string): Promise<UserRecord> {
  if (password === '' || password.length > MAX_PASSWORD_LENGTH || !LOGIN_NAME.test(username)) {
    await verifyAgainstDummy(password.slice(0, MAX_PASSWORD_LENGTH));
    throw invalid();
  }
  const { user } = await ctx.principals.get(username);
  const ldap = ctx.ldap.current;
  if (ldap !== null && (user === null || user.source === 'ldap')) {
    const outcome = await ldapLogin(ldap, username, password);
    if (outcome.kind === 'ok') return upsertLdapUser(ctx, username, user, mapGroups(ldap, outcome.groups));
    if (outcome.kind === 'unavailable')
      ctx.logger.warn({ err: String(outcome.error) }, 'ldap unavailable during login');
    // An LDAP-sourced user can only be verified by LDAP; an unknown one pays a dummy verify.
    await verifyAgainstDummy(password);
    throw invalid();
  }
  if (user === null || user.password_hash === undefined || user.password_hash === '') {
    await verifyAgainstDummy(password);
    throw invalid();
  }
  if (ldap !== null && !fallsBackToBuiltin(ldap) && !(await ctx.principals.get(username)).principal.admin) {
    await verifyAgainstDummy(password);
    throw invalid();
  }
  if (!(await verifyPassword(user.password_hash, password))) throw invalid();
  return user;
}

/** Creates or refreshes the just-in-time record of an LDAP user; its roles are replaced each login. */
async function upsertLdapUser(
  ctx: AuthContext,
  username: string,
  existing: UserRecord | null,
  roles: string[],
): Promise<UserRecord> {
  const known = new Set<string>();
  for (const r of roles) if ((await ctx.records.roles.get(r)) !== null) known.add(r);
  const nextRoles = [...known].sort();
  if (existing !== null && sameRoles(existing.roles, nextRoles)) return existing;
  const now = new Date(ctx.now()).toISOString();
  const record: UserRecord = {
    username,
    roles: nextRoles,
    must_change_password: false,
    token_secret: existing?.token_secret ?? newTokenSecret(),
    source: 'ldap',
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  await ctx.records.users.put(username, record);
  ctx.principals.invalidateUser(username);
  ctx.logger.info({ username, roles: nextRoles }, 'ldap user roles updated');
  return record;
}

const sameRoles = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().every((r, i) => r === b[i]);
