import { DepotError } from '@depot/core';
import type { RoleRecord, UserRecord } from '../records/server-records.js';
import { ADMIN_ROLE } from './directory.js';
import type { AuthContext } from './internal/context.js';
import { hashPassword, newTokenSecret, randomPassword } from './passwords.js';
import { ANONYMOUS } from './principals.js';

/** The read-only role bootstrap creates. */
export const READ_ONLY_ROLE = 'read-only';

async function createIfAbsent<T>(
  view: { putIfVersion(id: string, r: T, v: string | null): Promise<string> },
  id: string,
  record: T,
): Promise<boolean> {
  try {
    await view.putIfVersion(id, record, null);
    return true;
  } catch (err) {
    if (err instanceof DepotError && err.code === 'CONFLICT') return false;
    throw err;
  }
}

/**
 * First start (architecture.md "Bootstrap"): with no roles, creates `admin` (read/write/delete on
 * `*`, admin) and `read-only` (read on `*`); with no users, creates `admin` and `anonymous`. Every
 * write is create-if-absent, so instances starting together create each record once and only the
 * one that created `admin` reports its generated password.
 */
export async function bootstrap(
  ctx: AuthContext,
  defaultAdminPassword: string | undefined,
): Promise<{ generatedAdminPassword: string | null }> {
  await ctx.keyring.reload();
  await ctx.ldap.reload();
  const now = new Date(ctx.now()).toISOString();
  let generated: string | null = null;
  if ((await ctx.records.roles.list({ limit: 1 })).items.length === 0) {
    const roles: RoleRecord[] = [
      {
        name: ADMIN_ROLE,
        description: 'Full access, administration included',
        capabilities: (['read', 'write', 'delete'] as const).map((capability) => ({ capability, repo: '*' })),
        admin: true,
        created_at: now,
        updated_at: now,
      },
      {
        name: READ_ONLY_ROLE,
        description: 'Read every repository',
        capabilities: [{ capability: 'read', repo: '*' }],
        admin: false,
        created_at: now,
        updated_at: now,
      },
    ];
    for (const role of roles) await createIfAbsent(ctx.records.roles, role.name, role);
  }
  if ((await ctx.records.users.list({ limit: 1 })).items.length === 0) {
    const password = defaultAdminPassword ?? randomPassword(20);
    const admin: UserRecord = {
      username: 'admin',
      password_hash: await hashPassword(password),
      roles: [ADMIN_ROLE],
      must_change_password: defaultAdminPassword === undefined,
      token_secret: newTokenSecret(),
      source: 'builtin',
      created_at: now,
      updated_at: now,
    };
    const anonymous: UserRecord = {
      username: ANONYMOUS,
      roles: [],
      must_change_password: false,
      token_secret: newTokenSecret(),
      source: 'builtin',
      created_at: now,
      updated_at: now,
    };
    if ((await createIfAbsent(ctx.records.users, 'admin', admin)) && defaultAdminPassword === undefined)
      generated = password;
    await createIfAbsent(ctx.records.users, ANONYMOUS, anonymous);
    ctx.logger.info({ generated: generated !== null }, 'bootstrap created admin and anonymous users');
  }
  ctx.principals.invalidateAll();
  return { generatedAdminPassword: generated };
}
