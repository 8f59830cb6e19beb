import { createRepositoryEngine, depotRecords, type KvStore, type Logger, type UpstreamFetch } from '@depot/core';
import type { AuthModule } from '../auth/auth-module.js';
import { createAuth } from '../auth/create-auth.js';
import type { DepotConfig } from '../config/config-schema.js';
import type { InstalledPlugins } from '../plugins/installed.js';
import { createRepoChangeSignal, notifyingRepoService } from '../repo-listeners/repo-changes.js';
import { createRepoService } from '../services/repo-service.js';
import { settingsSchemaWith } from '../services/settings-schema.js';
import { createStoreService } from '../services/store-service.js';
import { cleanupWorker } from '../workers/cleanup.js';
import { runFormatStartupHooks } from '../workers/format-workers.js';
import { createFormatHost } from './format-host.js';
import { applyInitialIdentities, applyInitialStorage, isFreshKv } from './initialize.js';
import type { DepotServices } from './services.js';
import { createSettingsService } from './settings-service.js';
import { createStoreRegistry } from './store-registry.js';

/** How long an upstream may take to answer with headers (the body then streams unbounded). */
const UPSTREAM_HEADERS_TIMEOUT_MS = 30_000;

/** `fetch` with a timeout on the response headers, for cache repositories' upstreams. */
export const upstreamFetch: UpstreamFetch = async (url, init) => {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new Error('upstream did not answer in time')),
    UPSTREAM_HEADERS_TIMEOUT_MS,
  );
  const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
  try {
    return await globalThis.fetch(url, { ...init, signal });
  } finally {
    clearTimeout(timer);
  }
};

/** The opened services plus what startup reports. */
export interface OpenedServices {
  readonly services: DepotServices;
  readonly kv: KvStore;
  readonly cleanup: ReturnType<typeof cleanupWorker>;
  readonly generatedAdminPassword: string | null;
}

/** Opens the KV store, bootstraps auth, applies `[initialization]` and initialises every format. */
export async function openServices(
  config: DepotConfig,
  plugins: InstalledPlugins,
  logger: Logger,
  version: string,
): Promise<OpenedServices> {
  const kvManifest = plugins.kvStores.find((m) => m.storeType === config.kv_store.type);
  if (kvManifest === undefined) throw new Error(`kv_store.type: "${config.kv_store.type}" is not installed`);
  const { type: _type, ...kvOptions } = config.kv_store;
  const kv = await kvManifest.open(kvOptions, { logger: logger.child({ component: 'kv' }) });
  const records = depotRecords(kv);
  const fresh = await isFreshKv(records);
  const formats = createFormatHost(plugins.formats, logger);
  const settings = await createSettingsService(records, settingsSchemaWith(formats.definitions.values()));
  const storeRegistry = createStoreRegistry(records, plugins.blobStores, logger);
  const stores = createStoreService(records, storeRegistry);
  const repoChanges = createRepoChangeSignal();
  const repos = notifyingRepoService(createRepoService(records, formats.definitions), repoChanges);
  const auth: AuthModule = createAuth({
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
    engine,
    records,
    logger,
    fetch: upstreamFetch,
    auth: auth.service,
    settings: () => settings.current(),
  });
  await runFormatStartupHooks(formats, kv.capabilities.singleNode);
  const cleanup = cleanupWorker(records, logger.child({ worker: 'cleanup' }));
  const services: DepotServices = {
    version,
    logger,
    records,
    settings,
    stores,
    storeRegistry,
    repos,
    engine,
    formats,
    auth,
    trustedProxies: new Set(config.trusted_proxies ?? []),
    ...(config.base_url === undefined ? {} : { baseUrl: config.base_url }),
    wakeCleanup: () => cleanup.wake(),
    repoChanges,
  };
  return { services, kv, cleanup, generatedAdminPassword };
}
