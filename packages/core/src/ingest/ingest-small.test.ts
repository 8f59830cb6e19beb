import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore, ByteSource } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords } from '../kv/records.js';
import { ingest } from './ingest.js';
import { SMALL_BODY_BYTES } from './read-head.js';

async function* chunked(data: Uint8Array, size = 64 * 1024): ByteSource {
  for (let at = 0; at < data.length; at += size) yield data.slice(at, at + size);
}
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * seed + 7) % 256);

/** Counts the puts reaching the store (a duplicate small body must not write at all). */
function countingStore(inner: BlobStore): BlobStore & { puts: number } {
  const counted = {
    ...inner,
    puts: 0,
    put(body: ByteSource, options?: Parameters<BlobStore['put']>[1]) {
      counted.puts++;
      return inner.put(body, options);
    },
  };
  return counted;
}

describe('ingest of small and large bodies', () => {
  let store: BlobStore & { puts: number };
  let records: DepotRecords;
  beforeEach(() => {
    store = countingStore(memoryBlobStore());
    records = depotRecords(memoryKvStore());
  });

  it('a small duplicate is found by its dedup record and never written', async () => {
    const data = bytes(4096);
    const first = await ingest(store, records, 'main', chunked(data, 1000), { algorithms: ['sha256'] });
    const second = await ingest(store, records, 'main', chunked(data, 700), { algorithms: ['sha256'] });
    expect(store.puts).toBe(1);
    expect(second).toMatchObject({ blobId: first.blobId, deduped: true, size: 4096 });
    expect(second.hashes.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect((await store.stats()).blobCount).toBe(1);
  });

  it('a small body that does not match its digest never reaches the store', async () => {
    const wrong = createHash('sha256').update('other').digest('hex');
    await expect(
      ingest(store, records, 'main', chunked(bytes(4096)), { expected: { sha256: wrong } }),
    ).rejects.toThrow();
    expect(store.puts).toBe(0);
    expect((await records.blobs.list()).items).toHaveLength(0);
  });

  it('a large body streams, is verified before it is visible, and dedups', async () => {
    const data = bytes(SMALL_BODY_BYTES * 3 + 5, 5);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const wrong = createHash('sha256').update('other').digest('hex');
    await expect(ingest(store, records, 'main', chunked(data), { expected: { sha256: wrong } })).rejects.toThrow();
    expect((await store.stats()).blobCount).toBe(0);
    const first = await ingest(store, records, 'main', chunked(data), { expected: { sha256 } });
    const second = await ingest(store, records, 'main', chunked(data), { expected: { sha256 } });
    expect(second).toMatchObject({ blobId: first.blobId, deduped: true, size: data.byteLength });
    expect((await store.stats()).blobCount).toBe(1);
    const read = await store.get(first.blobId);
    const parts: Uint8Array[] = [];
    for await (const c of read?.body ?? chunked(new Uint8Array())) parts.push(c);
    expect(Buffer.concat(parts).equals(Buffer.from(data))).toBe(true);
  });

  it('a body exactly at the limit takes the in-memory path', async () => {
    const data = bytes(SMALL_BODY_BYTES, 7);
    await ingest(store, records, 'main', chunked(data), {});
    await ingest(store, records, 'main', chunked(data), {});
    expect(store.puts).toBe(1);
  });
});
