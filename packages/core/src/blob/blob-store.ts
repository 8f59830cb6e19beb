/**
 * The content store contract. Bodies stream; nothing is buffered whole. Implementations:
 * `@depot/store-fs` and `@depot/store-s3`. Every implementation runs `describeBlobStore` from
 * `@depot/testkit`.
 */

/** A stream of bytes. Node Readables and Web ReadableStreams both are async iterables. */
export type ByteSource = AsyncIterable<Uint8Array>;

/** Options for {@link BlobStore.put}. */
export interface BlobPutOptions {
  /** Expected size in bytes, when the caller knows it (lets S3 pick a single PUT). */
  readonly sizeHint?: number;
  /**
   * Called after the last byte is written and before the blob becomes visible. Throwing aborts
   * the put: nothing is left behind and the error propagates. Ingest verifies digests here.
   */
  readonly beforeCommit?: () => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/** What {@link BlobStore.put} returns: the store-assigned id and the byte count. */
export interface BlobPutResult {
  readonly id: string;
  readonly size: number;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A readable blob. `body` yields exactly the requested range. */
export interface BlobReadResult {
  /** Size of the whole blob. */
  readonly size: number;
  readonly body: ByteSource;
}

/** One blob found by {@link BlobStore.list}. */
export interface BlobListEntry {
  readonly id: string;
  readonly size: number;
  /** Last modification time, ms since epoch. */
  readonly modifiedAt: number;
}

/** A page of {@link BlobStore.list}; `cursor` is `null` on the last page. */
export interface BlobListPage {
  readonly entries: readonly BlobListEntry[];
  readonly cursor: string | null;
}

/** Totals reported by {@link BlobStore.stats}. */
export interface BlobStoreStats {
  readonly blobCount: number;
  readonly totalBytes: number;
}

/** Result of {@link BlobStore.healthCheck}. */
export interface HealthResult {
  readonly ok: boolean;
  readonly error?: string;
}

/** The content store. Blob ids are assigned by the store, never derived from content. */
export interface BlobStore {
  /** Streams `body` to a temporary location and commits it atomically. */
  put(body: ByteSource, options?: BlobPutOptions): Promise<BlobPutResult>;
  /** `null` when the blob does not exist. A range past the end is `RANGE_NOT_SATISFIABLE`. */
  get(id: string, options?: { readonly range?: ByteRange }): Promise<BlobReadResult | null>;
  head(id: string): Promise<{ readonly size: number } | null>;
  /** Returns whether a blob was deleted. */
  delete(id: string): Promise<boolean>;
  /** Walks every blob, for garbage collection and integrity checks. */
  list(options?: { readonly cursor?: string; readonly limit?: number }): Promise<BlobListPage>;
  stats(): Promise<BlobStoreStats>;
  /** A write / read / list / delete round trip. */
  healthCheck(): Promise<HealthResult>;
  close?(): Promise<void>;
}
