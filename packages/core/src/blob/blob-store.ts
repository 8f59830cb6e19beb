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

/**
 * A second way to read a body whose bytes sit in a file: by position, into the caller's buffer.
 * Servers send large blobs with a few reused buffers this way instead of a new buffer per chunk:
 * at GB/s those buffers are external memory that keeps V8's major GC running (PERF.md). The body
 * still owns the file: whoever reads positionally must call `close` and must not iterate the body.
 */
export interface PositionalRead {
  /** First byte to send. */
  readonly start: number;
  /** One past the last byte to send. */
  readonly end: number;
  /** Reads up to `length` bytes at `position` into the start of `buffer`; 0 at the end of the file. */
  read(buffer: Uint8Array, length: number, position: number): Promise<number>;
  /** Releases the body (and its file) without reading it. */
  close(): Promise<void>;
}

const POSITIONAL = Symbol('depot.positionalRead');

/** Marks `body` as also readable by position; stores that serve files call this on what `get` returns. */
export function withPositionalRead<T extends ByteSource>(body: T, reader: PositionalRead): T {
  Object.defineProperty(body, POSITIONAL, { value: reader });
  return body;
}

/** The positional reader of a body marked by {@link withPositionalRead}; `undefined` for any other body. */
export function positionalReadOf(body: unknown): PositionalRead | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  return (body as { [POSITIONAL]?: PositionalRead })[POSITIONAL];
}

/**
 * Releases a body that will not be read. Returning a Node stream's iterator before the first read
 * does not destroy the stream (its file would stay open until GC), so streams are destroyed and
 * positional bodies closed; anything else has its iterator returned.
 */
export async function discardBody(body: ByteSource | null | undefined): Promise<void> {
  if (body == null) return;
  const positional = positionalReadOf(body);
  if (positional !== undefined) return positional.close();
  const stream = body as { destroy?: unknown };
  if (typeof stream.destroy === 'function') {
    stream.destroy();
    return;
  }
  await body[Symbol.asyncIterator]().return?.();
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
