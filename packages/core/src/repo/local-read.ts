import { type ByteRange, discardBody } from '../blob/blob-store.js';
import { DepotError } from '../errors/depot-error.js';
import type { ArtifactRecord, RepositoryRecord } from '../kv/records.js';
import type { ArtifactRead, GetArtifactOptions, ReadSource } from './engine.js';
import type { EngineContext } from './engine-context.js';
import { type MemoryBody, memoryBody, readAll, type SmallBlobCache } from './small-blob-cache.js';

/** Checks `range` against `size`: the served (clamped) range, or `RANGE_NOT_SATISFIABLE`. */
export function satisfiableRange(range: ByteRange, size: number): ByteRange {
  // RFC 9110 §14.1.2: a first-byte-pos at or past the end is unsatisfiable; last-byte-pos is clamped.
  if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start) {
    throw new DepotError('RANGE_NOT_SATISFIABLE', 'invalid range', { details: { size } });
  }
  if (range.start >= size)
    throw new DepotError('RANGE_NOT_SATISFIABLE', 'range starts past the end', { details: { size } });
  return { start: range.start, end: Math.min(range.end, size - 1) };
}

/**
 * Serves a stored artifact: metadata only for HEAD, else the blob (or the asked range). Returns
 * `null` when the blob is gone, so cache repositories can refetch; hosted callers turn that into
 * `DATA_INTEGRITY_ERROR`. Small blobs are served from (and fill) the engine's small-blob cache
 * as a {@link MemoryBody}: no file is opened, stat'ed or streamed for them once read.
 */
export async function openLocal(
  ctx: EngineContext,
  repo: RepositoryRecord,
  record: ArtifactRecord,
  options: GetArtifactOptions,
  source: ReadSource,
): Promise<ArtifactRead | null> {
  const range = options.range === undefined ? undefined : satisfiableRange(options.range, record.size);
  const ranged = range === undefined ? {} : { range };
  const cache = ctx.smallBlobs?.fits(record.size) ? ctx.smallBlobs : undefined;
  const held = cache?.get(record.store, record.blob_id);
  if (options.headOnly === true) {
    if (held === undefined) {
      const stored = await (await ctx.blobStore(record.store)).head(record.blob_id);
      if (stored === null) return null;
      checkSize(record, stored.size);
    }
    ctx.touch.touched(record);
    return { record, repo: repo.name, body: null, source, ...ranged };
  }
  if (cache !== undefined) {
    const bytes = held ?? (await fillSmall(ctx, cache, record));
    if (bytes === null) return null;
    ctx.touch.touched(record);
    const body = range === undefined ? memoryBody(bytes) : sliceOf(bytes, range);
    return { record, repo: repo.name, body, source, ...ranged };
  }
  // Zero-byte artifacts have no satisfiable range, so `range` implies size > 0 here.
  const store = await ctx.blobStore(record.store);
  const blob = await store.get(record.blob_id, range === undefined ? {} : { range });
  if (blob === null) return null;
  if (blob.size !== record.size) await discardBody(blob.body);
  checkSize(record, blob.size);
  ctx.touch.touched(record);
  return { record, repo: repo.name, body: blob.body, source, ...ranged };
}

/**
 * A blob whose size is not its record's was truncated or replaced behind Depot's back: serving it
 * would promise `Content-Length` bytes it cannot send, so it is an integrity error instead.
 */
function checkSize(record: ArtifactRecord, size: number): void {
  if (size === record.size) return;
  throw new DepotError('DATA_INTEGRITY_ERROR', `blob holds ${size} bytes, its record says ${record.size}`, {
    details: { path: record.path, blob_id: record.blob_id },
  });
}

/** Reads a small blob whole and caches it; `null` when the blob is gone. */
async function fillSmall(
  ctx: EngineContext,
  cache: SmallBlobCache,
  record: ArtifactRecord,
): Promise<Uint8Array | null> {
  const blob = await (await ctx.blobStore(record.store)).get(record.blob_id);
  if (blob === null) return null;
  if (blob.size !== record.size) await discardBody(blob.body);
  checkSize(record, blob.size);
  const bytes = await readAll(blob.body);
  cache.set(record.store, record.blob_id, bytes);
  return bytes;
}

/** The bytes of `range` (already checked against the record's size), clamped to what is held. */
function sliceOf(bytes: Uint8Array, range: ByteRange): MemoryBody {
  if (range.start >= bytes.byteLength) {
    throw new DepotError('RANGE_NOT_SATISFIABLE', 'range starts past the end', { details: { size: bytes.byteLength } });
  }
  return memoryBody(bytes, range.start, Math.min(range.end + 1, bytes.byteLength));
}
