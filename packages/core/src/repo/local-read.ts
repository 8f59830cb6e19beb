import type { ByteRange } from '../blob/blob-store.js';
import { DepotError } from '../errors/depot-error.js';
import type { ArtifactRecord, RepositoryRecord } from '../kv/records.js';
import type { ArtifactRead, GetArtifactOptions, ReadSource } from './engine.js';
import type { EngineContext } from './engine-context.js';

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
 * `DATA_INTEGRITY_ERROR`.
 */
export async function openLocal(
  ctx: EngineContext,
  repo: RepositoryRecord,
  record: ArtifactRecord,
  options: GetArtifactOptions,
  source: ReadSource,
): Promise<ArtifactRead | null> {
  const range = options.range === undefined ? undefined : satisfiableRange(options.range, record.size);
  const store = await ctx.blobStore(record.store);
  if (options.headOnly === true) {
    if ((await store.head(record.blob_id)) === null) return null;
    ctx.touch.touched(record);
    return { record, repo: repo.name, body: null, source, ...(range === undefined ? {} : { range }) };
  }
  // Zero-byte artifacts have no satisfiable range, so `range` implies size > 0 here.
  const blob = await store.get(record.blob_id, range === undefined ? {} : { range });
  if (blob === null) return null;
  ctx.touch.touched(record);
  return { record, repo: repo.name, body: blob.body, source, ...(range === undefined ? {} : { range }) };
}
