import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore, ByteSource } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { isDepotError } from '../errors/depot-error.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { blobRecordId, type DepotRecords, depotRecords } from '../kv/records.js';
import { ingest } from './ingest.js';

const EMPTY_BLAKE3 = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262';

async function* chunked(data: Uint8Array, size = 1000): ByteSource {
  for (let at = 0; at < data.length; at += size) yield data.slice(at, at + size);
}
async function* failingMidway(data: Uint8Array): ByteSource {
  yield data.slice(0, 100);
  throw new Error('client went away');
}
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) % 256);
const errorCode = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    return isDepotError(err) ? err.code : `non-depot: ${String(err)}`;
  }
  return 'resolved';
};

describe('ingest', () => {
  let store: BlobStore;
  let records: DepotRecords;
  beforeEach(() => {
    store = memoryBlobStore();
    records = depotRecords(memoryKvStore());
  });
  const nothingStored = async (): Promise<void> => {
    expect((await store.stats()).blobCount).toBe(0);
    expect((await records.blobs.list()).items).toHaveLength(0);
  };

  it('stores the bytes and reports hashes equal to node:crypto', async () => {
    const data = bytes(100_000);
    const result = await ingest(store, records, 'main', chunked(data), { algorithms: ['sha256', 'md5'] });
    expect(result.size).toBe(100_000);
    expect(result.deduped).toBe(false);
    expect(result.hashes.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(result.hashes.md5).toBe(createHash('md5').update(data).digest('hex'));
    const record = await records.blobs.get(blobRecordId('main', result.hashes.blake3));
    expect(record?.blob_id).toBe(result.blobId);
    const read = await store.get(result.blobId);
    const parts: Uint8Array[] = [];
    for await (const c of read?.body ?? chunked(new Uint8Array())) parts.push(c);
    expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true);
  });

  it('handles zero-byte bodies with the known empty BLAKE3', async () => {
    const result = await ingest(store, records, 'main', chunked(new Uint8Array()), {});
    expect(result).toMatchObject({ size: 0, hashes: { blake3: EMPTY_BLAKE3 } });
    expect(await store.head(result.blobId)).toEqual({ size: 0 });
  });

  it('leaves no blob and no record on a digest mismatch', async () => {
    const data = bytes(5000);
    const wrong = createHash('sha256').update('other').digest('hex');
    expect(await errorCode(ingest(store, records, 'main', chunked(data), { expected: { sha256: wrong } }))).toBe(
      'DIGEST_MISMATCH',
    );
    await nothingStored();
  });

  it('accepts a matching expected digest in upper case and computes it without being asked', async () => {
    const data = bytes(5000);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const result = await ingest(store, records, 'main', chunked(data), {
      expected: { sha256: sha256.toUpperCase(), size: 5000 },
    });
    expect(result.hashes.sha256).toBe(sha256);
  });

  it('rejects a size mismatch, short or long', async () => {
    expect(await errorCode(ingest(store, records, 'm', chunked(bytes(10)), { expected: { size: 11 } }))).toBe(
      'DIGEST_MISMATCH',
    );
    expect(await errorCode(ingest(store, records, 'm', chunked(bytes(10)), { expected: { size: 9 } }))).toBe(
      'DIGEST_MISMATCH',
    );
    await nothingStored();
  });

  it('stops at maxBytes while streaming and leaves nothing', async () => {
    let pulled = 0;
    async function* endless(): ByteSource {
      for (;;) {
        pulled += 1;
        yield bytes(1024);
      }
    }
    expect(await errorCode(ingest(store, records, 'main', endless(), { maxBytes: 10_000 }))).toBe('PAYLOAD_TOO_LARGE');
    expect(pulled).toBeLessThanOrEqual(11);
    await nothingStored();
  });

  it('leaves nothing when the body throws midway', async () => {
    await expect(ingest(store, records, 'main', failingMidway(bytes(1000)), {})).rejects.toThrow('client went away');
    await nothingStored();
  });

  it('dedups 32 concurrent ingests of identical bytes onto one blob', async () => {
    const data = bytes(50_000, 3);
    const results = await Promise.all(
      Array.from({ length: 32 }, () => ingest(store, records, 'main', chunked(data, 4096), {})),
    );
    const ids = new Set(results.map((r) => r.blobId));
    expect(ids.size).toBe(1);
    expect((await store.stats()).blobCount).toBe(1);
    expect(results.filter((r) => !r.deduped)).toHaveLength(1);
    const [id] = ids;
    expect(await store.head(id as string)).toEqual({ size: 50_000 });
  });

  it('repoints the dedup record when the recorded blob vanished', async () => {
    const data = bytes(300);
    const first = await ingest(store, records, 'main', chunked(data), {});
    await store.delete(first.blobId);
    const second = await ingest(store, records, 'main', chunked(data), {});
    expect(second.deduped).toBe(false);
    expect(second.blobId).not.toBe(first.blobId);
    expect((await records.blobs.get(blobRecordId('main', first.hashes.blake3)))?.blob_id).toBe(second.blobId);
  });
});
