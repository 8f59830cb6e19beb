import {
  type AddressPolicy,
  createRepositoryEngine,
  type FormatMetrics,
  type KvStore,
  type Logger,
  type RepositoryRecord,
  repositoryRecordKeys,
} from '@depot/core';
import { createAuditLog } from '../audit/audit-log.js';
import type { AuthModule } from '../auth/auth-module.js';
import { createAuth } from '../auth/create-auth.js';
import { RESTORE_MARKER_ID } from '../backup/archive-layout.js';
import type { DepotConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import type { InstalledPlugins } from '../plugins/installed.js';
import { isLoaded, loadPlugins } from '../plugins/load-plugins.js';
import { serverRecords } from '../records/server-records.js';
import { createRepoChangeSignal, notifyingRepoService } from '../repo-listeners/repo-changes.js';
import { createRepoService } from '../services/repo-service.js';
import { settingsSchemaWith } from '../services/settings-schema.js';
import { createStoreService } from '../services/store-service.js';
import { bulkDeleteTask, checkTask, cleanTask, cloneTask, gcTask } from '../tasks/task-kinds.js';
import { createTaskService, taskKind } from '../tasks/task-service.js';
import { cleanupWorker } from '../workers/cleanup.js';
import { runCleanupPass } from '../workers/cleanup-policies.js';
import { runFormatStartupHooks } from '../workers/format-workers.js';
import { gcService } from '../workers/gc.js';
import { createFormatHost } from './format-host.js';
import { applyInitialIdentities, applyInitialStorage, isFreshKv } from './initialize.js';
import { moveLegacyFormatKeys } from './legacy-format-keys.js';
import { openKvStore } from './open-kv-store.js';
import { openServerSecret } from './server-secret.js';
import type { DepotServices } from './services.js';
import { createSettingsService } from './settings-service.js';
import { createStoreRegistry } from './store-registry.js';
import { createUpstreamFetch } from './upstream-fetch.js';

/** The opened services plus what startup reports. */
export interface OpenedServices {
  readonly services: DepotServices;
  readonly kv: KvStore;
  readonly cleanup: ReturnType<typeof cleanupWorker>;
  readonly generatedAdminPassword: string | null;
}

/**
 * Loads `[[plugins]]` (unless `plugins` already went through `loadPlugins`: then resolved from the
 * working directory), opens the KV store, bootstraps auth, applies `[initialization]` and
 * initialises every format.
 */
export async function openServices(
  config: DepotConfig,
  plugins: InstalledPlugins,
  logger: Logger,
  version: string,
  metrics?: FormatMetrics,
): Promise<OpenedServices> {
  const loaded = isLoaded(plugins) ? plugins : await loadPlugins(config, plugins, process.cwd());
  // Format options are validated before anything is opened.
  const formats = createFormatHost(loaded.formats, logger, loaded.formatOptions);
  const secrets = openServerSecret(config, process.env, logger);
  const kv = await openKvStore(config.kv_store, loaded.kvStores, logger.child({ component: 'kv' }));
  await moveLegacyFormatKeys(kv, logger.child({ component: 'kv' }));
  const records = serverRecords(kv);
  if ((await records.meta.get(RESTORE_MARKER_ID)) !== null) {
    await kv.close();
    throw new ConfigError(
      'this data store holds a restore that did not finish: restore again into an empty data store (docs/backup.md)',
    );
  }
  const fresh = await isFreshKv(records);
  const settings = await createSettingsService(records, settingsSchemaWith(formats.definitions.values()));
  const storeRegistry = createStoreRegistry(records, loaded.blobStores, logger);
  const stores = createStoreService(records, storeRegistry);
  const repoChanges = createRepoChangeSignal();
  // The TOML keys, when true, allow what the runtime settings would otherwise refuse.
  const upstreamAddresses = (): AddressPolicy => {
    const current = settings.current();
    return {
      allowPrivate: config.allow_private_upstreams === true || current.allow_private_upstreams,
      allowLinkLocal: config.allow_link_local_upstreams === true || current.allow_link_local_upstreams,
    };
  };
  const upstreamFetch = createUpstreamFetch(upstreamAddresses, logger.child({ component: 'upstream' }));
  const repos = notifyingRepoService(createRepoService(records, formats.definitions, upstreamAddresses), repoChanges);
  const audit = createAuditLog(kv, logger.child({ component: 'audit' }), {
    enabled: () => settings.current().audit_log,
    retentionDays: () => settings.current().audit_retention_days,
  });
  const auth: AuthModule = createAuth({
    onTokenUse: (owner, tokenId) =>
      audit.record({ actor: owner, action: 'token.used', target: `/api/v1/tokens/${tokenId}`, outcome: 200 }),
    records,
    settings: () => settings.current(),
    logger: logger.child({ component: 'auth' }),
    ...(config.default_admin_password === undefined ? {} : { defaultAdminPassword: config.default_admin_password }),
    ...(config.ldap === undefined ? {} : { ldap: config.ldap }),
    ...(config.trusted_proxies === undefined ? {} : { trustedProxies: config.trusted_proxies }),
  });
  const init = fresh ? config.initialization : undefined;
  const initDeps = { records, settings, stores, repos, logger };
  if (init !== undefined) await applyInitialStorage(init, initDeps);
  const bootstrap = await auth.bootstrap();
  if (init !== undefined) await applyInitialIdentities(init, initDeps);
  // Declaring an `admin` user replaces the generated password: no banner then.
  const generatedAdminPassword = init?.users.some((u) => u.username === 'admin')
    ? null
    : bootstrap.generatedAdminPassword;
  if ((await records.stores.list({ limit: 1 })).items.length === 0) {
    logger.warn({}, 'no blob store: create one with POST /api/v1/stores');
  }
  const engine = createRepositoryEngine({
    records,
    blobStore: (name) => storeRegistry.get(name),
    fetch: upstreamFetch,
    cachePolicy: (format) => formats.definitions.get(format)?.cachePolicy,
    logger: logger.child({ component: 'engine' }),
  });
  await formats.init({
    secrets,
    engine,
    kv,
    logger,
    fetch: upstreamFetch,
    auth: auth.service,
    settings: () => settings.current(),
    ...(metrics === undefined ? {} : { metrics }),
  });
  await runFormatStartupHooks(formats, kv.capabilities.singleNode);
  const formatPrefixesOf = (repo: RepositoryRecord): string[] => {
    const format = formats.definitions.get(repo.format);
    return format === undefined ? [] : repositoryRecordKeys(format, repo.name);
  };
  const cleanup = cleanupWorker(records, logger.child({ worker: 'cleanup' }), {
    formatRecordPrefixes: formatPrefixesOf,
  });
  const cleanupDeps = {
    records,
    format: (name: string) => formats.definitions.get(name),
    versions: (name: string) => formats.get(name)?.runtime.versions,
    deleteArtifact: (repo: string, path: string) => engine.delete(repo, path),
    now: Date.now,
  };
  const gc = gcService(records, storeRegistry, settings, logger.child({ worker: 'gc' }), {
    beforePass: () => runCleanupPass(cleanupDeps, { dryRun: false }),
  });
  const tasks = createTaskService(
    records,
    [
      taskKind(gcTask(gc)),
      taskKind(checkTask(records, storeRegistry)),
      taskKind(
        bulkDeleteTask(records, repos, async (name, path) => {
          const repo = await repos.get(name);
          const remove = repo.repo_type === 'hosted' ? formats.get(repo.format)?.runtime.removeArtifact : undefined;
          return remove === undefined ? engine.delete(name, path) : remove(repo, path);
        }),
      ),
      taskKind(cloneTask(records, repos, formatPrefixesOf)),
      taskKind(cleanTask(cleanupDeps)),
    ],
    logger.child({ component: 'tasks' }),
    { retentionSecs: () => settings.current().task_retention_secs, singleNode: kv.capabilities.singleNode },
  );
  const services: DepotServices = {
    tasks,
    gc,
    version,
    kvStoreType: config.kv_store.type,
    logger,
    records,
    settings,
    stores,
    storeRegistry,
    repos,
    engine,
    formats,
    auth,
    audit,
    trustedProxies: new Set(config.trusted_proxies ?? []),
    ...(config.base_url === undefined ? {} : { baseUrl: config.base_url }),
    wakeCleanup: () => cleanup.wake(),
    repoChanges,
  };
  return { services, kv, cleanup, generatedAdminPassword };
}
