import { randomUUID } from 'node:crypto';
import { DepotError } from '../errors/depot-error.js';
import { joinChunks } from '../ingest/read-head.js';
import type { BlobListEntry, BlobStore, ByteSource } from './blob-store.js';

interface StoredBlob {
  readonly bytes: Uint8Array;
  readonly modifiedAt: number;
}

/** Chunk size bodies are served in, so readers see a stream rather than one buffer. */
const READ_CHUNK = 64 * 1024;

async function* chunks(bytes: Uint8Array): ByteSource {
  for (let at = 0; at < bytes.length; at += READ_CHUNK) yield bytes.slice(at, Math.min(at + READ_CHUNK, bytes.length));
}

/**
 * An in-memory {@link BlobStore} (for tests, and for embedders that keep nothing across restarts). Like a real store it assigns
 * random ids, makes a blob visible only after the body ended and `beforeCommit` returned, leaves
 * nothing behind when the body throws, `beforeCommit` throws or the signal aborts, and serves
 * inclusive ranges (`RANGE_NOT_SATISFIABLE` past the end).
 */
export function memoryBlobStore(): BlobStore {
  const blobs = new Map<string, StoredBlob>();
  return {
    async put(body, options = {}) {
      const { signal, beforeCommit } = options;
      const parts: Uint8Array[] = [];
      let size = 0;
      signal?.throwIfAborted();
      for await (const chunk of body) {
        signal?.throwIfAborted();
        parts.push(chunk.slice());
        size += chunk.byteLength;
      }
      signal?.throwIfAborted();
      await beforeCommit?.();
      const id = randomUUID();
      blobs.set(id, { bytes: joinChunks(parts, size), modifiedAt: Date.now() });
      return { id, size };
    },
    async get(id, options = {}) {
      const blob = blobs.get(id);
      if (blob === undefined) return null;
      const size = blob.bytes.byteLength;
      const { range } = options;
      if (range === undefined) return { size, body: chunks(blob.bytes) };
      if (range.start < 0 || range.start >= size || range.end < range.start) {
        throw new DepotError('RANGE_NOT_SATISFIABLE', 'range not satisfiable', { details: { size } });
      }
      const end = Math.min(range.end, size - 1);
      return { size, body: chunks(blob.bytes.subarray(range.start, end + 1)) };
    },
    async head(id) {
      const blob = blobs.get(id);
      return blob === undefined ? null : { size: blob.bytes.byteLength };
    },
    async delete(id) {
      return blobs.delete(id);
    },
    async list(options = {}) {
      const limit = options.limit ?? 1000;
      const ids = [...blobs.keys()].filter((id) => options.cursor === undefined || id > options.cursor).sort();
      const page = ids.slice(0, limit);
      const entries: BlobListEntry[] = page.map((id) => {
        const blob = blobs.get(id) as StoredBlob;
        return { id, size: blob.bytes.byteLength, modifiedAt: blob.modifiedAt };
      });
      return { entries, cursor: ids.length > limit ? (page[page.length - 1] ?? null) : null };
    },
    async stats() {
      let totalBytes = 0;
      for (const blob of blobs.values()) totalBytes += blob.bytes.byteLength;
      return { blobCount: blobs.size, totalBytes };
    },
    async healthCheck() {
      return { ok: true };
    },
  };
}
