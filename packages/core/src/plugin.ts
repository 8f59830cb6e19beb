import type { BlobStore } from './blob/blob-store.js';
import type { FormatPluginManifest } from './format/format.js';
import type { KvStore } from './kv/kv-store.js';
import type { Logger } from './logger.js';

/** What a store factory receives besides its options. */
export interface StoreContext {
  readonly logger: Logger;
}

/**
 * The manifest a blob store package exports as `depotPlugin`. `create` validates the options
 * (throwing `BAD_REQUEST` that names the offending key) and returns a ready store.
 */
export interface BlobStorePluginManifest {
  readonly kind: 'blob-store';
  /** The `store_type` of store records it serves, e.g. `file`, `s3`. */
  readonly storeType: string;
  readonly apiVersion: 1;
  create(options: Readonly<Record<string, unknown>>, context: StoreContext): Promise<BlobStore>;
}

/** The manifest a KV store package exports as `depotPlugin`; `open` validates options like `create`. */
export interface KvStorePluginManifest {
  readonly kind: 'kv-store';
  /** The `[kv_store] type` it serves, e.g. `level`, `dynamodb`. */
  readonly storeType: string;
  readonly apiVersion: 1;
  open(options: Readonly<Record<string, unknown>>, context: StoreContext): Promise<KvStore>;
}

/**
 * The plugin API version this build of Depot speaks. A plugin's manifest carries the version it
 * was built against in `apiVersion`; the server refuses to load any other.
 */
export const DEPOT_PLUGIN_API_VERSION = 1;

/** Any manifest a plugin package may export as `depotPlugin`. */
export type DepotPluginManifest = FormatPluginManifest | BlobStorePluginManifest | KvStorePluginManifest;
