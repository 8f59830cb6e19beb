import type { BlobStore } from '@depot/core';
import { expect, it } from 'vitest';
import type { BlobStoreSuiteOptions } from '../blob-suite.js';
import { expectBlobCode, patterned, readAll, sourceOf } from './blob-context.js';

/** Round trips, sizes, zero-byte blobs, ranges, deletes and health. */
export function blobBasicCases(store: () => BlobStore, options: BlobStoreSuiteOptions): void {
  const t = options.timeoutMs;

  it(
    'put returns an id and the exact size; get, head and delete round-trip',
    async () => {
      const data = patterned(300_001);
      const put = await store().put(sourceOf(data, 65_537));
      expect(typeof put.id).toBe('string');
      expect(put.id.length).toBeGreaterThan(0);
      expect(put.size).toBe(data.length);
      expect(await store().head(put.id)).toEqual({ size: data.length });
      const got = await store().get(put.id);
      expect(got?.size).toBe(data.length);
      expect(await readAll(got?.body ?? sourceOf(new Uint8Array(0)))).toEqual(data);
      expect(await store().delete(put.id)).toBe(true);
      expect(await store().head(put.id)).toBeNull();
      expect(await store().get(put.id)).toBeNull();
      expect(await store().delete(put.id)).toBe(false);
    },
    t,
  );

  it(
    'assigns a new id to every put, also for identical bytes',
    async () => {
      const data = patterned(1000);
      const a = await store().put(sourceOf(data));
      const b = await store().put(sourceOf(data), { sizeHint: data.length });
      expect(a.id).not.toBe(b.id);
      expect((await store().stats()).blobCount).toBe(2);
    },
    t,
  );

  it(
    '16 concurrent puts of different bytes each round-trip under their own id',
    async () => {
      const datas = Array.from({ length: 16 }, (_, i) => patterned(50_000 + i * 4099, i + 10));
      const puts = await Promise.all(datas.map((d, i) => store().put(sourceOf(d, 1000 + i * 997))));
      expect(new Set(puts.map((p) => p.id)).size).toBe(16);
      const reads = await Promise.all(
        puts.map(async (p) => readAll((await store().get(p.id))?.body ?? sourceOf(new Uint8Array(0)))),
      );
      reads.forEach((read, i) => {
        expect(puts[i]?.size).toBe(datas[i]?.length);
        expect(Buffer.compare(Buffer.from(read), Buffer.from(datas[i] ?? new Uint8Array(0)))).toBe(0);
      });
    },
    t,
  );

  it(
    'stores zero-byte blobs',
    async () => {
      const put = await store().put(sourceOf(new Uint8Array(0)));
      expect(put.size).toBe(0);
      expect(await store().head(put.id)).toEqual({ size: 0 });
      const got = await store().get(put.id);
      expect(got?.size).toBe(0);
      expect((await readAll(got?.body ?? sourceOf(patterned(1)))).length).toBe(0);
      await expectBlobCode(store().get(put.id, { range: { start: 0, end: 0 } }), 'RANGE_NOT_SATISFIABLE');
    },
    t,
  );

  it(
    'accepts a body of many tiny chunks and empty chunks',
    async () => {
      const data = patterned(5000, 3);
      async function* tiny(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < data.length; i += 7) {
          yield new Uint8Array(0);
          yield data.slice(i, i + 7);
        }
      }
      const put = await store().put(tiny());
      expect(put.size).toBe(data.length);
      expect(await readAll((await store().get(put.id))?.body ?? sourceOf(new Uint8Array(0)))).toEqual(data);
    },
    t,
  );

  it(
    'serves inclusive ranges: first byte, last byte, middle, end clamped to the size',
    async () => {
      const data = patterned(100_000, 5);
      const { id } = await store().put(sourceOf(data));
      const range = async (start: number, end: number): Promise<Uint8Array> => {
        const got = await store().get(id, { range: { start, end } });
        expect(got?.size).toBe(data.length);
        return readAll(got?.body ?? sourceOf(new Uint8Array(0)));
      };
      expect(await range(0, 0)).toEqual(data.slice(0, 1));
      expect(await range(99_999, 99_999)).toEqual(data.slice(99_999));
      expect(await range(12_345, 67_890)).toEqual(data.slice(12_345, 67_891));
      expect(await range(99_000, 10_000_000)).toEqual(data.slice(99_000));
      expect(await range(0, 99_999)).toEqual(data);
    },
    t,
  );

  it(
    'a range starting at or past the size is RANGE_NOT_SATISFIABLE',
    async () => {
      const { id } = await store().put(sourceOf(patterned(10)));
      await expectBlobCode(store().get(id, { range: { start: 10, end: 10 } }), 'RANGE_NOT_SATISFIABLE');
      await expectBlobCode(store().get(id, { range: { start: 50, end: 60 } }), 'RANGE_NOT_SATISFIABLE');
    },
    t,
  );

  it(
    'unknown and hostile ids are misses, not errors or escapes',
    async () => {
      for (const id of ['0'.repeat(32), 'nope', '../../../../etc/passwd', '..', '']) {
        expect(await store().head(id)).toBeNull();
        expect(await store().get(id)).toBeNull();
        expect(await store().delete(id)).toBe(false);
      }
    },
    t,
  );

  it(
    'healthCheck reports ok and leaves nothing behind',
    async () => {
      expect(await store().healthCheck()).toMatchObject({ ok: true });
      expect(await store().stats()).toEqual({ blobCount: 0, totalBytes: 0 });
    },
    t,
  );
}
