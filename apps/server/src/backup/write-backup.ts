import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, Logger } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchiveEnd,
  type ArchiveManifest,
  blobEntryName,
  END_NAME,
  isExcluded,
  KV_CHUNK_BYTES,
  KV_DIR,
  MANIFEST_NAME,
} from './archive-layout.js';

/** What a backup reads from. */
export interface BackupSource {
  readonly records: ServerRecords;
  readonly blobStore: (name: string) => Promise<BlobStore>;
  readonly depotVersion: string;
  readonly kvStoreType: string;
  readonly logger: Logger;
}

/** The blob a blob or artifact record names, or `null` when the value is not such a record. */
function blobOf(records: ServerRecords, key: string, value: Uint8Array): { store: string; blobId: string } | null {
  try {
    if (key.startsWith('blob/')) {
      const r = records.blobs.decode(value);
      return { store: r.store, blobId: r.blob_id };
    }
    if (key.startsWith('artifact/')) {
      const r = records.artifacts.decode(value);
      return { store: r.store, blobId: r.blob_id };
    }
  } catch {
    // An undecodable record is copied as it is; it names no blob we can follow.
  }
  return null;
}

/**
 * Streams a backup archive (layout: archive-layout.ts) of everything `source` holds. The caller
 * holds GC off until the returned stream ends or fails, so every blob the metadata names is still
 * there to copy; a blob gone anyway (deleted behind Depot's back) is listed in `end.json`.
 * `onEnd` runs once, however the stream ends.
 */
export async function backupStream(source: BackupSource, onEnd: (err?: unknown) => void): Promise<Readable> {
  const { pack: tarPack } = await import('tar-stream');
  const pack = tarPack();
  const entry = async (name: string, size: number, body: AsyncIterable<Uint8Array> | Uint8Array[]): Promise<void> => {
    await pipeline(Readable.from(body), pack.entry({ name, size, mtime: new Date() }));
  };
  const json = (name: string, value: unknown) => {
    const bytes = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    return entry(name, bytes.byteLength, [bytes]);
  };

  const produce = async (): Promise<void> => {
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      created_at: new Date().toISOString(),
      depot_version: source.depotVersion,
      kv_store: source.kvStoreType,
    };
    await json(MANIFEST_NAME, manifest);
    const blobs = new Map<string, { store: string; blobId: string }>();
    let kvEntries = 0;
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    let chunkNo = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      await entry(`${KV_DIR}${String(chunkNo++).padStart(6, '0')}.jsonl`, chunkBytes, chunk);
      chunk = [];
      chunkBytes = 0;
    };
    let cursor: string | undefined;
    do {
      const page = await source.records.kv.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      for (const e of page.entries) {
        if (isExcluded(e.key)) continue;
        const line = Buffer.from(`${JSON.stringify({ k: e.key, v: Buffer.from(e.value).toString('base64') })}\n`);
        chunk.push(line);
        chunkBytes += line.byteLength;
        kvEntries++;
        const blob = blobOf(source.records, e.key, e.value);
        if (blob !== null) blobs.set(`${blob.store}\u0000${blob.blobId}`, blob);
        if (chunkBytes >= KV_CHUNK_BYTES) await flush();
      }
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined && !pack.destroyed);
    await flush();

    let blobCount = 0;
    let blobBytes = 0;
    const missing: string[] = [];
    for (const { store: name, blobId } of blobs.values()) {
      if (pack.destroyed) return;
      const store = await source.blobStore(name).catch(() => null);
      const read = store === null ? null : await store.get(blobId);
      if (read === null) {
        missing.push(`${name}/${blobId}`);
        continue;
      }
      await entry(blobEntryName(name, blobId), read.size, read.body);
      blobCount++;
      blobBytes += read.size;
    }
    if (missing.length > 0)
      source.logger.warn({ missing: missing.length }, 'backup: blobs named by records are missing');
    await json(END_NAME, {
      kv_entries: kvEntries,
      blobs: blobCount,
      blob_bytes: blobBytes,
      missing_blobs: missing,
    } satisfies ArchiveEnd);
    pack.finalize();
  };

  let ended = false;
  const end = (err?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd(err);
  };
  produce().catch((err: unknown) => {
    source.logger.warn({ err }, 'backup stream failed');
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
    end(err);
  });
  // tar-stream packs are streamx streams: a Node Readable for callers and pipelines.
  const out = Readable.from(pack);
  out.once('end', () => end());
  out.once('close', () => {
    // The reader went away (a cut download): stop producing and let go of the stores.
    if (!pack.destroyed) pack.destroy();
    end();
  });
  out.once('error', (err) => end(err));
  return out;
}
