import type { Readable } from 'node:stream';
import { type BlobStore, badRequest, createBlake3, isDepotError, type KvBatchOp, type Logger } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchiveEnd,
  type ArchiveManifest,
  END_NAME,
  isExcluded,
  KV_DIR,
  MANIFEST_NAME,
  parseBlobEntryName,
  RESTORE_MARKER_ID,
} from './archive-layout.js';

/** Where a restore writes. */
export interface RestoreTarget {
  readonly records: ServerRecords;
  readonly blobStore: (name: string) => Promise<BlobStore>;
  /** Stores the target already defines: their archived definitions are skipped, their bytes land here. */
  readonly keepStores: ReadonlySet<string>;
  readonly logger: Logger;
}

/** What a restore did. */
export interface RestoreSummary {
  readonly source: ArchiveManifest;
  readonly kv_entries: number;
  readonly blobs: number;
  readonly blob_bytes: number;
  /** Blobs whose bytes no longer hash to their record's BLAKE3: not stored, reported. */
  readonly corrupt_blobs: readonly string[];
  /** Blobs the source was already missing when it was backed up (from `end.json`). */
  readonly missing_blobs: readonly string[];
  /** Blob and artifact records whose blob id the target store assigned anew. */
  readonly rewritten_records: number;
}

/** A KV chunk larger than this is not from a depot backup (they are cut at 4 MiB). */
const MAX_KV_CHUNK_BYTES = 64 * 1024 * 1024;

async function readAll(entry: AsyncIterable<Uint8Array>, limit: number, name: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.byteLength;
    if (size > limit) throw badRequest(`archive entry ${name} is larger than ${limit} bytes`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

async function* hashing(body: AsyncIterable<Uint8Array>, update: (chunk: Uint8Array) => void) {
  for await (const chunk of body) {
    update(chunk);
    yield chunk;
  }
}

/** JSON of an archive entry; anything else is the archive's fault (400), not the server's. */
function parseJson(text: string, entry: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`archive entry ${entry} is not valid JSON`);
  }
}

const blobKey = (store: string, blobId: string): string => `${store}\u0000${blobId}`;

/**
 * Restores an archive written by `backupStream` into `target`, which must be empty (the caller
 * checks). Metadata is written as it comes; each blob is stored anew (verified against its
 * record's BLAKE3 on the way) and the blob and artifact records are then pointed at the ids the
 * target store assigned. `meta/restore` marks the store while this runs: a server refuses to
 * start on a half-restored store, and a cut archive fails here with a 400-class error.
 */
export async function restoreArchive(input: Readable, target: RestoreTarget): Promise<RestoreSummary> {
  const { extract: tarExtract } = await import('tar-stream');
  const extract = tarExtract();
  let unreadable: unknown;
  extract.once('error', (err) => {
    unreadable = err;
  });
  input.once('error', (err) => extract.destroy(err));
  input.pipe(extract);
  try {
    return await restoreEntries(extract as unknown as AsyncIterable<TarEntry>, target);
  } catch (err) {
    // What the tar reader threw is the archive's fault (cut short, not a tar), not the server's.
    if (err === unreadable && !isDepotError(err)) {
      throw badRequest(
        `the archive is cut short or not a tar file (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    throw err;
  } finally {
    input.unpipe(extract);
    if ('destroy' in input) input.destroy();
  }
}

/** One tar entry as tar-stream hands it over: a header and a readable body. */
interface TarEntry extends AsyncIterable<unknown> {
  readonly header: { readonly name: string; readonly size?: number | null | undefined };
  resume(): unknown;
}

async function restoreEntries(extract: AsyncIterable<TarEntry>, target: RestoreTarget): Promise<RestoreSummary> {
  const { records, logger } = target;

  let manifest: ArchiveManifest | null = null;
  let end: ArchiveEnd | null = null;
  let kvEntries = 0;
  let blobs = 0;
  let blobBytes = 0;
  const corrupt: string[] = [];
  /** BLAKE3 of every archived blob record, to verify the bytes that follow. */
  const expected = new Map<string, string>();
  /** Source blob → the id the target store gave the same bytes. */
  const moved = new Map<string, string>();

  for await (const tarEntry of extract) {
    const name = tarEntry.header.name;
    const entry = tarEntry as TarEntry & AsyncIterable<Uint8Array>;
    if (manifest === null) {
      const parsed =
        name === MANIFEST_NAME
          ? (parseJson((await readAll(entry, 1 << 20, name)).toString(), name) as ArchiveManifest)
          : null;
      if (parsed?.format !== ARCHIVE_FORMAT)
        throw badRequest('not a depot backup archive (it must start with depot-backup.json)');
      if (parsed.version > ARCHIVE_VERSION) {
        throw badRequest(
          `backup archive version ${parsed.version} is newer than this depot reads (${ARCHIVE_VERSION})`,
        );
      }
      manifest = parsed;
      // From the first write on, a failure leaves a store the server will not start on.
      await records.meta.put(RESTORE_MARKER_ID, { state: 'in-progress', started_at: new Date().toISOString() });
      continue;
    }
    if (name.startsWith(KV_DIR)) {
      const text = (await readAll(entry, MAX_KV_CHUNK_BYTES, name)).toString('utf8');
      let ops: KvBatchOp[] = [];
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const { k, v } = (parseJson(line, name) ?? {}) as { k?: unknown; v?: unknown };
        if (typeof k !== 'string' || typeof v !== 'string') throw badRequest(`archive entry ${name}: a malformed line`);
        if (isExcluded(k)) continue;
        if (k.startsWith('store/') && target.keepStores.has(k.slice('store/'.length))) continue;
        const value = Buffer.from(v, 'base64');
        if (k.startsWith('blob/')) {
          const r = records.blobs.decode(value);
          expected.set(blobKey(r.store, r.blob_id), r.hashes.blake3);
        }
        ops.push({ type: 'put', key: k, value });
        kvEntries++;
        if (ops.length >= 200) {
          await records.kv.batch(ops);
          ops = [];
        }
      }
      if (ops.length > 0) await records.kv.batch(ops);
      continue;
    }
    const blob = parseBlobEntryName(name);
    if (blob !== null) {
      const key = blobKey(blob.store, blob.blobId);
      const want = expected.get(key);
      const hasher = createBlake3();
      const store = await target.blobStore(blob.store);
      try {
        const put = await store.put(
          hashing(entry, (c) => hasher.update(c)),
          {
            sizeHint: tarEntry.header.size ?? 0,
            beforeCommit: () => {
              if (want !== undefined && hasher.digestHex() !== want) throw badRequest('BLAKE3 mismatch');
            },
          },
        );
        moved.set(key, put.id);
        blobs++;
        blobBytes += put.size;
      } catch (err) {
        if ((err as { code?: string }).code !== 'BAD_REQUEST') throw err;
        corrupt.push(`${blob.store}/${blob.blobId}`);
        entry.resume();
      }
      continue;
    }
    if (name === END_NAME) {
      end = parseJson((await readAll(entry, 64 << 20, name)).toString(), name) as ArchiveEnd;
      continue;
    }
    logger.warn({ entry: name }, 'restore: unknown archive entry skipped');
    entry.resume();
  }
  if (manifest === null) throw badRequest('the archive is empty');
  if (end === null) throw badRequest('the archive ends before end.json: it was cut short');

  let rewritten = 0;
  for await (const { id, record } of records.blobs.scan()) {
    const to = moved.get(blobKey(record.store, record.blob_id));
    if (to !== undefined && to !== record.blob_id) {
      await records.blobs.put(id, { ...record, blob_id: to });
      rewritten++;
    }
  }
  for await (const { id, record } of records.artifacts.scan()) {
    const to = moved.get(blobKey(record.store, record.blob_id));
    if (to !== undefined && to !== record.blob_id) {
      await records.artifacts.put(id, { ...record, blob_id: to });
      rewritten++;
    }
  }
  await records.meta.delete(RESTORE_MARKER_ID);
  if (corrupt.length > 0) logger.warn({ corrupt: corrupt.length }, 'restore: corrupt blobs were not stored');
  return {
    source: manifest,
    kv_entries: kvEntries,
    blobs,
    blob_bytes: blobBytes,
    corrupt_blobs: corrupt,
    missing_blobs: end.missing_blobs,
    rewritten_records: rewritten,
  };
}
