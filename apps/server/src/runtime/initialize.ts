import { randomBytes } from 'node:crypto';
import { isDepotError, type Logger } from '@depot/core';
import { hash } from '@node-rs/argon2';
import type { DepotConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import type { ServerRecords } from '../records/server-records.js';
import type { RepoService } from '../services/repo-service.js';
import type { StoreService } from '../services/store-service.js';
import type { SettingsService } from './settings-service.js';

/** What `[initialization]` needs. */
export interface InitializeDeps {
  readonly records: ServerRecords;
  readonly settings: SettingsService;
  readonly stores: StoreService;
  readonly repos: RepoService;
  readonly logger: Logger;
}

/** True when the KV holds no users yet (prototype §3.1: "fresh"). */
export async function isFreshKv(records: ServerRecords): Promise<boolean> {
  const page = await records.users.list({ limit: 1 });
  return page.items.length === 0;
}

type Init = NonNullable<DepotConfig['initialization']>;

/** Roles the auth bootstrap creates; users may reference them besides the declared roles. */
const BOOTSTRAP_ROLES = ['admin', 'read-only'];

async function step(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new ConfigError(`initialization.${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Entries that already exist (a previous first start failed half-way) are kept, not an error. */
async function unlessExists(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!isDepotError(err, 'CONFLICT')) throw err;
  }
}

/**
 * First half of `[initialization]`, before the auth bootstrap (so a failure leaves the KV "fresh"
 * and the next start retries): checks user → role references, then applies settings, stores and
 * repositories with the same validation as the API.
 */
export async function applyInitialStorage(init: Init, deps: InitializeDeps): Promise<void> {
  const roles = new Set([...BOOTSTRAP_ROLES, ...init.roles.map((r) => r.name)]);
  init.users.forEach((user, i) => {
    const missing = user.roles.find((r) => !roles.has(r));
    if (missing !== undefined)
      throw new ConfigError(`initialization.users[${i}].roles: role "${missing}" is not declared`);
  });
  if (init.settings !== undefined) await step('settings', () => deps.settings.merge(init.settings ?? {}));
  for (const [i, store] of init.stores.entries()) {
    await step(`stores[${i}] ("${store.name}")`, () => unlessExists(() => deps.stores.create(store)));
  }
  for (const [i, repo] of init.repositories.entries()) {
    await step(`repositories[${i}] ("${repo.name}")`, () => unlessExists(() => deps.repos.create(repo)));
  }
}

/** Second half, after the bootstrap: roles and users, overwriting the bootstrap defaults. */
export async function applyInitialIdentities(init: Init, deps: InitializeDeps): Promise<void> {
  const { records, logger } = deps;
  const now = new Date().toISOString();
  for (const [i, role] of init.roles.entries()) {
    await step(`roles[${i}] ("${role.name}")`, () =>
      records.roles.put(role.name, {
        name: role.name,
        ...(role.description === undefined ? {} : { description: role.description }),
        capabilities: role.capabilities,
        ...(role.admin === undefined ? {} : { admin: role.admin }),
        created_at: now,
        updated_at: now,
      }),
    );
  }
  for (const [i, user] of init.users.entries()) {
    await step(`users[${i}] ("${user.username}")`, async () =>
      records.users.put(user.username, {
        username: user.username,
        password_hash: await hash(user.password),
        roles: user.roles,
        must_change_password: user.must_change_password,
        token_secret: randomBytes(32).toString('hex'),
        source: 'builtin',
        created_at: now,
        updated_at: now,
      }),
    );
  }
  logger.info(
    {
      stores: init.stores.length,
      repositories: init.repositories.length,
      roles: init.roles.length,
      users: init.users.length,
    },
    'initialization applied',
  );
}
