import {
  type BlobStore,
  type BlobStorePluginManifest,
  badRequest,
  type Logger,
  notFound,
  type StoreRecord,
} from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';

/** Instantiated blob stores by name, built from store records through their plugin manifests. */
export interface StoreRegistry {
  /** The store named `name` (cached; `NOT_FOUND` when no such record). */
  get(name: string): Promise<BlobStore>;
  /** Instantiates a store from a record without caching it (validation, health checks). */
  instantiate(record: Pick<StoreRecord, 'store_type' | 'options'>): Promise<BlobStore>;
  /** Drops (and closes) the cached instance; the next `get` rebuilds it from the record. */
  invalidate(name: string): Promise<void>;
  /** The installed `store_type`s. */
  readonly storeTypes: readonly string[];
  close(): Promise<void>;
}

/** Creates a {@link StoreRegistry}. */
export function createStoreRegistry(
  records: ServerRecords,
  manifests: readonly BlobStorePluginManifest[],
  logger: Logger,
): StoreRegistry {
  const cache = new Map<string, Promise<BlobStore>>();
  const byType = new Map(manifests.map((m) => [m.storeType, m]));

  const instantiate = async (record: Pick<StoreRecord, 'store_type' | 'options'>): Promise<BlobStore> => {
    const manifest = byType.get(record.store_type);
    if (manifest === undefined) {
      throw badRequest(`unknown store_type "${record.store_type}"; installed: ${[...byType.keys()].join(', ')}`);
    }
    return manifest.create(record.options, { logger: logger.child({ store_type: record.store_type }) });
  };

  const closeQuietly = async (store: Promise<BlobStore>): Promise<void> => {
    try {
      await (await store).close?.();
    } catch (err) {
      logger.warn({ err }, 'closing blob store failed');
    }
  };

  return {
    storeTypes: [...byType.keys()],
    instantiate,
    async get(name) {
      let store = cache.get(name);
      if (store === undefined) {
        store = (async () => {
          const record = await records.stores.get(name);
          if (record === null) throw notFound(`blob store "${name}" not found`);
          return instantiate(record);
        })();
        cache.set(name, store);
        // A failed build must not poison the cache.
        store.catch(() => {
          if (cache.get(name) === store) cache.delete(name);
        });
      }
      return store;
    },
    async invalidate(name) {
      const store = cache.get(name);
      cache.delete(name);
      if (store !== undefined) await closeQuietly(store);
    },
    async close() {
      const all = [...cache.values()];
      cache.clear();
      await Promise.all(all.map(closeQuietly));
    },
  };
}
