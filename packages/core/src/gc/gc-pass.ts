import type { BlobStore } from '../blob/blob-store.js';
import { isDepotError } from '../errors/depot-error.js';
import { type RecordView, recordView } from '../kv/record-view.js';
import type { ContentHashes, DepotRecords } from '../kv/records.js';
import { type Logger, noopLogger } from '../logger.js';

/** What {@link runGcPass} works on. */
export interface GcPassOptions {
  readonly records: DepotRecords;
  /** The blob stores to sweep, by name (every store a blob record or an artifact may name). */
  readonly stores: ReadonlyMap<string, BlobStore>;
  /** Report what would go, change nothing (no candidate marks either). */
  readonly dryRun?: boolean;
  /**
   * Blobs (and their records) younger than this are never candidates: an upload writes its blob
   * before the records that reference it. Default one hour.
   */
  readonly minAgeMs?: number;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

/** What one pass found and did. */
export interface GcPassResult {
  readonly dry_run: boolean;
  readonly scanned_artifacts: number;
  readonly scanned_blob_records: number;
  readonly scanned_blobs: number;
  /** Unreferenced blobs seen for the first time: candidates now, deleted by a later pass. */
  readonly new_candidates: number;
  /** Dedup records of candidates from an earlier pass, removed this pass (their files go next pass). */
  readonly retired_records: number;
  /** Blob files deleted, and their bytes. */
  readonly deleted_blobs: number;
  readonly deleted_bytes: number;
  /** Candidates that an artifact referenced again: kept (and their dedup record restored). */
  readonly rescued: number;
  /** Dry run: the bytes the unreferenced blobs older than the minimum age take. */
  readonly reclaimable_bytes: number;
  readonly elapsed_ms: number;
}

/**
 * Where a candidate is on its way out. `marked`: unreferenced when first seen; `retired`: still
 * unreferenced a pass later, so its dedup record was removed (no new upload can dedup onto it);
 * the file goes when a third pass still finds no reference.
 */
interface CandidateRecord {
  readonly store: string;
  readonly blob_id: string;
  readonly size: number;
  readonly stage: 'marked' | 'retired';
  readonly since: string;
  /** The dedup record removed at retirement, restored if the blob is referenced again. */
  readonly blob_record?: { readonly id: string; readonly hashes: ContentHashes; readonly created_at: string };
}

const GC_PREFIX = 'gc/candidate/';
const DEFAULT_MIN_AGE_MS = 60 * 60 * 1000;
const key = (store: string, blobId: string): string => `${store}/${blobId}`;

/**
 * One blob garbage-collection pass. Marks every blob an artifact record references (artifact
 * records are the only references: every format stores what it serves, upload parts included, as
 * artifacts), then moves each unreferenced blob older than `minAgeMs` one step along
 * marked → retired → deleted, one step per pass, with the stage persisted in the KV store so a
 * restart neither loses nor hastens it. A blob referenced again at any step is kept. Deleting
 * the dedup record a pass before the file closes the race with an upload that deduplicates onto
 * the blob: that upload's artifact is seen by the next pass's mark, which rescues the blob.
 * Files a store holds without any record (a crash between writing a blob and its record) follow
 * the same steps. Passes must not overlap (one instance, one pass at a time).
 */
export async function runGcPass(options: GcPassOptions): Promise<GcPassResult> {
  const { records, stores, dryRun = false, minAgeMs = DEFAULT_MIN_AGE_MS, signal } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? noopLogger;
  const started = now();
  const oldEnough = (at: number): boolean => Number.isFinite(at) && started - at >= minAgeMs;
  const candidates = recordView<CandidateRecord>(records.kv, { prefix: GC_PREFIX, schemaVersion: 1 });
  const counts = {
    scanned_artifacts: 0,
    scanned_blob_records: 0,
    scanned_blobs: 0,
    new_candidates: 0,
    retired_records: 0,
    deleted_blobs: 0,
    deleted_bytes: 0,
    rescued: 0,
    reclaimable_bytes: 0,
  };

  // Mark: every blob an artifact points at.
  const referenced = new Set<string>();
  for await (const { record } of records.artifacts.scan({ pageSize: 1000 })) {
    signal?.throwIfAborted();
    counts.scanned_artifacts++;
    referenced.add(key(record.store, record.blob_id));
  }

  // Candidates of earlier passes: rescued when referenced, else one step further.
  const known = new Map<string, CandidateRecord>();
  for await (const { id, record } of candidates.scan({ pageSize: 1000 })) {
    signal?.throwIfAborted();
    const at = key(record.store, record.blob_id);
    if (referenced.has(at)) {
      counts.rescued++;
      if (!dryRun) await rescue(records, candidates, id, record, logger);
      continue;
    }
    known.set(at, record);
    if (dryRun || record.stage !== 'retired' || Date.parse(record.since) >= started) continue;
    const store = stores.get(record.store);
    if (store === undefined) continue;
    await store.delete(record.blob_id);
    await candidates.delete(id);
    counts.deleted_blobs++;
    counts.deleted_bytes += record.size;
  }

  // Dedup records: unreferenced ones become candidates, candidates from an earlier pass retire.
  /** Unreferenced blobs that have a dedup record (the file walk leaves them to the step above). */
  const recorded = new Set<string>();
  // Candidates this pass found again (the others lost their blob meanwhile: forgotten at the end).
  const seen = new Set<string>();
  for await (const { id, record } of records.blobs.scan({ pageSize: 1000 })) {
    signal?.throwIfAborted();
    counts.scanned_blob_records++;
    const at = key(record.store, record.blob_id);
    if (referenced.has(at)) continue;
    // Only unreferenced ones: the file walk below skips referenced blobs through `referenced`.
    recorded.add(at);
    if (!oldEnough(Date.parse(record.created_at))) continue;
    counts.reclaimable_bytes += record.size;
    if (dryRun) continue;
    const candidate = known.get(at);
    if (candidate === undefined) {
      await candidates.put(at, {
        store: record.store,
        blob_id: record.blob_id,
        size: record.size,
        stage: 'marked',
        since: iso(started),
      });
      counts.new_candidates++;
    } else if (candidate.stage === 'marked') {
      const retired: CandidateRecord = {
        ...candidate,
        stage: 'retired',
        since: iso(started),
        blob_record: { id, hashes: record.hashes, created_at: record.created_at },
      };
      await candidates.put(at, retired);
      await records.blobs.delete(id);
      known.set(at, retired);
      counts.retired_records++;
    }
    seen.add(at);
  }

  // Files no record names (a crash between a blob and its record): the same steps, without a record.
  for (const [name, store] of stores) {
    let cursor: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await store.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      for (const entry of page.entries) {
        counts.scanned_blobs++;
        const at = key(name, entry.id);
        if (referenced.has(at) || recorded.has(at) || !oldEnough(entry.modifiedAt)) continue;
        const candidate = known.get(at);
        seen.add(at);
        if (candidate?.stage === 'retired') continue;
        counts.reclaimable_bytes += entry.size;
        if (dryRun) continue;
        const stage = candidate === undefined ? 'marked' : 'retired';
        await candidates.put(at, { store: name, blob_id: entry.id, size: entry.size, stage, since: iso(started) });
        if (stage === 'marked') counts.new_candidates++;
      }
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  }

  if (!dryRun) {
    for (const [at, candidate] of known) {
      if (!seen.has(at) && candidate.stage === 'marked') await candidates.delete(at);
    }
  }

  const result: GcPassResult = { dry_run: dryRun, ...counts, elapsed_ms: now() - started };
  logger.info({ ...result }, 'gc pass done');
  return result;
}

/** Drops a candidate an artifact references again, restoring the dedup record it retired. */
async function rescue(
  records: DepotRecords,
  candidates: RecordView<CandidateRecord>,
  id: string,
  record: CandidateRecord,
  logger: Logger,
): Promise<void> {
  const removed = record.blob_record;
  if (removed !== undefined) {
    try {
      await records.blobs.putIfVersion(
        removed.id,
        {
          store: record.store,
          blob_id: record.blob_id,
          size: record.size,
          hashes: removed.hashes,
          created_at: removed.created_at,
        },
        null,
      );
    } catch (err) {
      // A newer upload of the same bytes wrote its own dedup record meanwhile: that one stays.
      if (!isDepotError(err, 'CONFLICT')) throw err;
    }
  }
  await candidates.delete(id);
  logger.info({ store: record.store, blob: record.blob_id }, 'gc candidate referenced again; kept');
}

const iso = (ms: number): string => new Date(ms).toISOString();
