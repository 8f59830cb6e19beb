import type { ByteSource } from '../blob/blob-store.js';
import { BytesLru } from '../internal/bytes-lru.js';

/** Blobs up to this size are kept in memory once read (64 KiB). */
export const SMALL_BLOB_MAX_BYTES = 64 * 1024;
/** Total bytes the small-blob cache holds at most (32 MiB). */
export const SMALL_BLOB_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Bytes held in memory that are also a {@link ByteSource} yielding themselves once. A server that
 * sees a `Uint8Array` writes it in one call (no stream, no file descriptor); code that iterates
 * bodies still works unchanged. A view, never a copy.
 */
export class MemoryBody extends Uint8Array implements AsyncIterable<Uint8Array> {
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    yield this;
  }
}

/** Wraps `bytes[start..end)` as a {@link MemoryBody} without copying. */
export function memoryBody(bytes: Uint8Array, start = 0, end = bytes.byteLength): MemoryBody {
  // Cached blob bytes are always plain (never shared) ArrayBuffers.
  return new MemoryBody(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, end - start);
}

/**
 * A bounded LRU of small blob bytes keyed by store and blob id. Blobs are immutable (ids are
 * random and never reused), so an entry never goes stale; it is dropped when evicted or deleted.
 */
export class SmallBlobCache {
  readonly #lru: BytesLru;

  constructor(maxEntryBytes: number = SMALL_BLOB_MAX_BYTES, maxBytes: number = SMALL_BLOB_CACHE_BYTES) {
    this.#lru = new BytesLru(maxEntryBytes, maxBytes);
  }

  /** Whether a blob of `size` bytes is small enough to be cached. */
  fits(size: number): boolean {
    return this.#lru.fits(size);
  }

  /** The cached bytes of `store`/`blobId`, marking them recently used. */
  get(store: string, blobId: string): Uint8Array | undefined {
    return this.#lru.get(`${store}\0${blobId}`);
  }

  /** Caches `bytes` (ignored when too large), evicting the least recently used entries. */
  set(store: string, blobId: string, bytes: Uint8Array): void {
    this.#lru.set(`${store}\0${blobId}`, bytes);
  }

  /** Drops one blob. */
  delete(store: string, blobId: string): void {
    this.#lru.delete(`${store}\0${blobId}`);
  }

  /** Bytes currently held. */
  get size(): number {
    return this.#lru.size;
  }
}

/**
 * Reads a whole (small) body into memory. The result owns its buffer exactly, so a cached entry
 * never pins a larger read buffer or pool slab.
 */
export async function readAll(body: ByteSource): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  const only = chunks[0];
  if (chunks.length === 1 && only !== undefined && only.byteOffset === 0 && only.buffer.byteLength === total) {
    return only;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
