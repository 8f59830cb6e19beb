import type { BlobStore, ByteSource } from '../blob/blob-store.js';
import { DepotError, isDepotError } from '../errors/depot-error.js';
import { createMultiHasher } from '../hash/hasher.js';
import {
  type BlobRecord,
  blobRecordId,
  type ContentHashes,
  type DepotRecords,
  type ExtraHashAlgorithm,
} from '../kv/records.js';
import type { ExpectedContent } from './expected-content.js';
import { joinChunks, readHead, SMALL_BODY_BYTES } from './read-head.js';
import { algorithmsFor, verifyExpected } from './verify-expected.js';

/** Options for {@link ingest}. */
export interface IngestOptions {
  /** Hashes to compute besides BLAKE3 (in the same pass). */
  readonly algorithms?: readonly ExtraHashAlgorithm[];
  /** Size and digests the bytes must match; checked before the blob becomes visible. */
  readonly expected?: ExpectedContent;
  /** More bytes than this is `PAYLOAD_TOO_LARGE`, detected while streaming. */
  readonly maxBytes?: number;
  readonly sizeHint?: number;
  readonly signal?: AbortSignal;
  /** Clock in ms for the dedup record's `created_at`. */
  readonly now?: () => number;
}

/** What {@link ingest} stored, or found already stored. */
export interface IngestResult {
  /** The blob holding the bytes: the new one, or the existing one when `deduped`. */
  readonly blobId: string;
  readonly size: number;
  readonly hashes: ContentHashes;
  /** True when identical bytes were already stored and the new copy was dropped. */
  readonly deduped: boolean;
}

/** Lost dedup races retried before giving up (each retry means another writer made progress). */
const MAX_DEDUP_ATTEMPTS = 8;

/**
 * Streams `body` once into `store`, hashing every chunk on its way through, then deduplicates by
 * BLAKE3 with a put-if-absent `blob/{store}/{blake3}` record (prototype-inventory §10.1): the blob
 * id is store-assigned, identity is the dedup record. Nothing is visible after a digest mismatch,
 * an oversize body or an aborted body. A body of at most {@link SMALL_BODY_BYTES} is hashed in
 * memory first and written only when its dedup record is missing (or points at a vanished blob).
 */
export async function ingest(
  store: BlobStore,
  records: DepotRecords,
  storeName: string,
  body: ByteSource,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const { expected, maxBytes, signal } = options;
  const hasher = createMultiHasher([...(options.algorithms ?? []), ...algorithmsFor(expected)]);
  let size = 0;
  let hashes: ContentHashes | undefined;

  async function* metered(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      if (signal?.aborted) throw signal.reason ?? new DepotError('BAD_REQUEST', 'upload aborted');
      size += chunk.byteLength;
      if (maxBytes !== undefined && size > maxBytes) {
        throw new DepotError('PAYLOAD_TOO_LARGE', 'body exceeds the size limit', { details: { maxBytes } });
      }
      if (expected?.size !== undefined && size > expected.size) {
        throw new DepotError('DIGEST_MISMATCH', 'body is longer than the expected size');
      }
      hasher.update(chunk);
      yield chunk;
    }
  }
  const finish = (): ContentHashes => {
    if (hashes === undefined) {
      hashes = hasher.digest();
      verifyExpected(expected, size, hashes);
    }
    return hashes;
  };

  const source = metered();
  const head = await readHead(source, SMALL_BODY_BYTES);
  const now = options.now ?? Date.now;
  const recordFor = (blobId: string, hashes: ContentHashes): BlobRecord => ({
    store: storeName,
    blob_id: blobId,
    size,
    hashes,
    created_at: new Date(now()).toISOString(),
  });
  if (head.rest === null) {
    // Small body: verified in memory, so a mismatch never touches the store; a duplicate never writes.
    const final = finish();
    const existing = await findExisting(store, records, storeName, size, final);
    if (existing !== null) return existing;
    const put = await store.put(once(joinChunks(head.chunks, head.size)), {
      sizeHint: size,
      ...(signal === undefined ? {} : { signal }),
    });
    return dedup(store, records, recordFor(put.id, final));
  }
  const put = await store.put(head.rest, {
    beforeCommit: () => {
      finish();
    },
    ...(options.sizeHint === undefined ? {} : { sizeHint: options.sizeHint }),
    ...(signal === undefined ? {} : { signal }),
  });
  let final: ContentHashes;
  try {
    // A store that skipped beforeCommit still gets verified; the blob is then removed again.
    final = finish();
  } catch (err) {
    await store.delete(put.id).catch(() => false);
    throw err;
  }
  return dedup(store, records, recordFor(put.id, final));
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** The stored blob already holding these bytes, when its dedup record exists and the blob is present. */
async function findExisting(
  store: BlobStore,
  records: DepotRecords,
  storeName: string,
  size: number,
  hashes: ContentHashes,
): Promise<IngestResult | null> {
  const existing = await records.blobs.get(blobRecordId(storeName, hashes.blake3));
  if (existing === null || existing.size !== size) return null;
  if ((await store.head(existing.blob_id)) === null) return null;
  return { blobId: existing.blob_id, size, hashes: { ...existing.hashes, ...hashes }, deduped: true };
}

async function dedup(store: BlobStore, records: DepotRecords, record: BlobRecord): Promise<IngestResult> {
  const id = blobRecordId(record.store, record.hashes.blake3);
  const fresh: IngestResult = { blobId: record.blob_id, size: record.size, hashes: record.hashes, deduped: false };
  for (let attempt = 0; attempt < MAX_DEDUP_ATTEMPTS; attempt++) {
    try {
      await records.blobs.putIfVersion(id, record, null);
      return fresh;
    } catch (err) {
      if (!isDepotError(err, 'CONFLICT')) {
        await store.delete(record.blob_id).catch(() => false);
        throw err;
      }
    }
    const existing = await records.blobs.getVersioned(id);
    if (existing === null) continue; // removed between our write and read: try to create again
    if (existing.record.blob_id === record.blob_id) return fresh;
    const present = await store.head(existing.record.blob_id);
    if (present !== null) {
      // Best effort: an orphan left by a failed delete is collected by GC.
      await store.delete(record.blob_id).catch(() => false);
      return {
        blobId: existing.record.blob_id,
        size: record.size,
        hashes: { ...existing.record.hashes, ...record.hashes },
        deduped: true,
      };
    }
    // The recorded blob vanished (lost or collected): point the record at ours, by CAS.
    try {
      await records.blobs.putIfVersion(id, record, existing.version);
      return fresh;
    } catch (err) {
      if (!isDepotError(err, 'CONFLICT')) throw err;
    }
  }
  await store.delete(record.blob_id).catch(() => false);
  throw new DepotError('CONFLICT', 'could not settle the dedup record under contention');
}
