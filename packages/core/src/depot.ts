import type { BlobStore } from './blob/blob-store.js';
import { badRequest, notFound } from './errors/depot-error.js';
import type { Format } from './format/format.js';
import { repositoryRecordKeys } from './format/format-context.js';
import type { KvStore } from './kv/kv-store.js';
import { type DepotRecords, depotRecords, type RepositoryRecord } from './kv/records.js';
import type { Logger } from './logger.js';
import { createRepositoryEngine } from './repo/create-engine.js';
import { drainRepository } from './repo/drain-repository.js';
import type { CachePolicy, RepositoryEngine, UpstreamFetch, UpstreamTimeouts } from './repo/engine.js';
import { type RepositoryInput, type RepositoryPatch, repositoryAdmin } from './repo/repository-admin.js';

/** What {@link createDepot} is built from. */
export interface CreateDepotOptions {
  /** The KV store every record lives in. {@link Depot.close} closes it. */
  readonly kv: KvStore;
  /** Blob stores by name; a repository's `store` names one. {@link Depot.close} closes them. */
  readonly blobStores: Readonly<Record<string, BlobStore>>;
  /** The formats repositories may have (e.g. `depotPlugin.create({})` of a format package). */
  readonly formats: readonly Format[];
  /** Sends cache fills upstream (default: the global `fetch`; hosted-only use never calls it). */
  readonly fetch?: UpstreamFetch;
  /** Default: a logger that drops everything. */
  readonly logger?: Logger;
  /** Cache policies by format name, replacing the formats' own `cachePolicy` (default: theirs). */
  readonly cachePolicies?: Readonly<Record<string, CachePolicy>>;
  /** Overrides the default upstream timeouts of cache fills. */
  readonly upstreamTimeouts?: UpstreamTimeouts;
}

/** Validated repository configuration of a {@link Depot}. */
export interface DepotRepositories {
  /** A live repository; `NOT_FOUND` when absent. */
  get(name: string): Promise<RepositoryRecord>;
  list(): Promise<RepositoryRecord[]>;
  /**
   * Validates and stores a new repository: `BAD_REQUEST` with `details.field` for any bad field
   * (unknown `repo_type` or format, missing store, cache without `upstream_url`, unknown or
   * foreign proxy members, cycles, options the format refuses); `CONFLICT` when the name is taken.
   */
  create(input: RepositoryInput): Promise<RepositoryRecord>;
  /** Applies a patch (`null` clears a field) validated like `create`; identity fields cannot change. */
  update(name: string, patch: RepositoryPatch): Promise<RepositoryRecord>;
  /**
   * Deletes a repository with its artifact records and its format's own records, then its record;
   * blobs stay for garbage collection. `NOT_FOUND` when absent, `CONFLICT` while a proxy lists it.
   */
  delete(name: string): Promise<void>;
}

/** An embedded Depot: repositories, the engine serving their artifacts, and one `close`. */
export interface Depot {
  readonly repositories: DepotRepositories;
  /** put / get / list / delete of artifacts (see {@link RepositoryEngine}). */
  readonly engine: RepositoryEngine;
  /** The typed records over the KV store, for formats and tools that need them. */
  readonly records: DepotRecords;
  /**
   * Waits for the engine's background writes (last-access times), then closes the blob stores and
   * the KV store it was given: the Depot owns its stores from {@link createDepot} on. Idempotent.
   */
  close(): Promise<void>;
}

function formatMap(formats: readonly Format[]): ReadonlyMap<string, Format> {
  const map = new Map<string, Format>();
  for (const format of formats) {
    if (map.has(format.name)) throw badRequest(`format "${format.name}" given twice`, { field: 'formats' });
    map.set(format.name, format);
  }
  return map;
}

/**
 * Builds an embedded Depot over stores the caller opened, in one call: the repository engine
 * (hosted, cache and proxy repositories), validated repository create/update/delete, and a
 * `close` that waits for background writes and closes the stores.
 */
export function createDepot(options: CreateDepotOptions): Depot {
  const formats = formatMap(options.formats);
  const stores = new Map(Object.entries(options.blobStores));
  const records = depotRecords(options.kv);
  const engine = createRepositoryEngine({
    records,
    async blobStore(name) {
      const store = stores.get(name);
      if (store === undefined) throw notFound(`blob store "${name}" not found`, { store: name });
      return store;
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    cachePolicy: (format) => options.cachePolicies?.[format] ?? formats.get(format)?.cachePolicy,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.upstreamTimeouts === undefined ? {} : { upstreamTimeouts: options.upstreamTimeouts }),
  });
  const admin = repositoryAdmin(records, { formats, storeExists: async (name) => stores.has(name) });
  const changed = <T>(name: string, result: T): T => {
    engine.invalidateRepository(name);
    return result;
  };
  let closing: Promise<void> | undefined;
  return {
    engine,
    records,
    repositories: {
      get: (name) => admin.get(name),
      list: () => admin.list(),
      create: async (input) => changed(input.name, await admin.create(input)),
      update: async (name, patch) => changed(name, await admin.update(name, patch)),
      async delete(name) {
        const marked = changed(name, await admin.markDeleting(name));
        const format = formats.get(marked.format);
        await drainRepository(records, marked, {
          formatPrefixes: format === undefined ? [] : repositoryRecordKeys(format, name),
        });
        changed(name, undefined);
      },
    },
    close() {
      closing ??= (async () => {
        await engine.close();
        // Every store is closed even when one fails; the KV last, since the others' users wrote there.
        const closed = await Promise.allSettled([...new Set(stores.values())].map((store) => store.close?.()));
        await options.kv.close();
        const failed = closed.find((r) => r.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
      })();
      return closing;
    },
  };
}
