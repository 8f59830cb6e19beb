import type { BlobStore } from '@depot/core';
import { expect, it } from 'vitest';
import type { BlobStoreSuiteOptions } from '../blob-suite.js';
import { listAllBlobIds, patterned, sourceOf } from './blob-context.js';

/** Listing walks every blob exactly once with paging; stats count blobs and bytes. */
export function blobListCases(store: () => BlobStore, options: BlobStoreSuiteOptions): void {
  const t = options.timeoutMs;
  const count = options.listBlobs ?? 40;

  it(
    'an empty store lists nothing and counts zero',
    async () => {
      expect(await store().list()).toEqual({ entries: [], cursor: null });
      expect(await store().stats()).toEqual({ blobCount: 0, totalBytes: 0 });
    },
    t,
  );

  it(
    `list walks all ${count} blobs exactly once across pages, with sizes and times`,
    async () => {
      const before = Date.now();
      const puts = await Promise.all(
        Array.from({ length: count }, (_, i) => store().put(sourceOf(patterned(i * 13, i)))),
      );
      const sizes = new Map(puts.map((p) => [p.id, p.size]));
      for (const limit of [1, 7, count, count + 5]) {
        const ids = await listAllBlobIds(store(), limit);
        expect(ids).toHaveLength(count);
        expect(new Set(ids)).toEqual(new Set(sizes.keys()));
      }
      const page = await store().list({ limit: count + 1 });
      expect(page.cursor).toBeNull();
      for (const entry of page.entries) {
        expect(entry.size).toBe(sizes.get(entry.id));
        expect(entry.modifiedAt).toBeGreaterThanOrEqual(before - 2000);
        expect(entry.modifiedAt).toBeLessThanOrEqual(Date.now() + 2000);
      }
    },
    t,
  );

  it(
    'paging stays correct while blobs are added and deleted between pages',
    async () => {
      const puts = await Promise.all(Array.from({ length: count }, (_, i) => store().put(sourceOf(patterned(10, i)))));
      const original = new Set(puts.map((p) => p.id));
      const victims = puts.slice(0, 5).map((p) => p.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        const result = await store().list({ limit: 6, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...result.entries.map((e) => e.id));
        if (result.cursor === null) break;
        cursor = result.cursor;
        await store().put(sourceOf(patterned(3, page)));
        const victim = victims[page];
        if (victim !== undefined) await store().delete(victim);
      }
      expect(new Set(seen).size).toBe(seen.length);
      const stable = [...original].filter((id) => !victims.includes(id));
      for (const id of stable) expect(seen).toContain(id);
    },
    t,
  );

  it(
    'stats count blobs and bytes after puts and deletes',
    async () => {
      const a = await store().put(sourceOf(patterned(1000)));
      await store().put(sourceOf(patterned(2500)));
      await store().put(sourceOf(new Uint8Array(0)));
      expect(await store().stats()).toEqual({ blobCount: 3, totalBytes: 3500 });
      await store().delete(a.id);
      expect(await store().stats()).toEqual({ blobCount: 2, totalBytes: 2500 });
    },
    t,
  );
}
