/**
 * The metadata store contract. Works in bytes with string keys; every record carries an opaque
 * version so callers can compare-and-swap. Implementations: `@depot/store-level` (embedded,
 * sharded) and `@depot/store-dynamodb`. Every implementation runs `describeKvStore` from
 * `@depot/testkit`.
 */

/** A value with the version the store assigned to it. Versions are opaque strings. */
export interface Versioned {
  readonly value: Uint8Array;
  readonly version: string;
}

/** One entry returned by {@link KvStore.list}. */
export interface KvEntry extends Versioned {
  readonly key: string;
}

/** Options for {@link KvStore.list}. Keys are returned in ascending byte order of their UTF-8 form. */
export interface KvListOptions {
  /** Only keys starting with this prefix. */
  readonly prefix?: string;
  /** Only keys `>= start` (combined with `prefix`). */
  readonly start?: string;
  /** Only keys `< end` (combined with `prefix`). */
  readonly end?: string;
  /** The `cursor` of the previous page; pages are stable under concurrent writes to other keys. */
  readonly cursor?: string;
  /** At most this many entries (default 1000). */
  readonly limit?: number;
}

/** A page from {@link KvStore.list}; `cursor` is `null` on the last page. */
export interface KvPage {
  readonly entries: readonly KvEntry[];
  readonly cursor: string | null;
}

/** One operation of {@link KvStore.batch}. */
export type KvBatchOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

/** What a KV backend can do; callers read these instead of probing. */
export interface KvCapabilities {
  /** Reads after an acknowledged write always see it (embedded stores: true). */
  readonly stronglyConsistentReads: boolean;
  /** Only one process may use the store at a time (embedded stores: true). */
  readonly singleNode: boolean;
}

/** The metadata store. A miss is `null`, never an error. A lost race is `CONFLICT`, never an overwrite. */
export interface KvStore {
  readonly capabilities: KvCapabilities;
  get(key: string): Promise<Uint8Array | null>;
  getVersioned(key: string): Promise<Versioned | null>;
  /** Unconditional write; returns the new version. */
  put(key: string, value: Uint8Array): Promise<string>;
  /**
   * Conditional write: succeeds only when the current version is `expected`, or, with
   * `expected === null`, when the key is absent (put-if-absent). Otherwise throws a
   * `DepotError` with code `CONFLICT`. Returns the new version.
   */
  putIfVersion(key: string, value: Uint8Array, expected: string | null): Promise<string>;
  /** Returns whether a value was deleted. */
  delete(key: string): Promise<boolean>;
  /** Deletes only when the current version is `expected`; otherwise `CONFLICT`. */
  deleteIfVersion(key: string, expected: string): Promise<void>;
  list(options?: KvListOptions): Promise<KvPage>;
  /** Applies puts and deletes; atomic per shard, not across shards. */
  batch(ops: readonly KvBatchOp[]): Promise<void>;
  close(): Promise<void>;
}
