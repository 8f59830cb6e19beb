import type { KvEntry, KvListOptions, KvStore } from '@depot/core';
import { expect, it } from 'vitest';
import type { KvStoreSuiteOptions } from '../kv-suite.js';
import { bytes, compareUtf8, numbered, text } from './kv-context.js';

/** Pages through `options` to the end, calling `between` after every page. */
async function listAll(
  store: KvStore,
  options: KvListOptions,
  between: (page: number) => Promise<void> = async () => {},
): Promise<KvEntry[]> {
  const all: KvEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const result = await store.list({ ...options, ...(cursor === undefined ? {} : { cursor }) });
    if (options.limit !== undefined) expect(result.entries.length).toBeLessThanOrEqual(options.limit);
    all.push(...result.entries);
    if (result.cursor === null) return all;
    expect(page, 'paging must terminate').toBeLessThan(1_000_000);
    cursor = result.cursor;
    await between(page);
  }
}

const keysOf = (entries: readonly KvEntry[]): string[] => entries.map((e) => e.key);

/** Listing: order, prefix and range bounds, limits, cursors and paging under concurrent writes. */
export function kvListCases(store: () => KvStore, options: KvStoreSuiteOptions): void {
  const t = options.timeoutMs;
  const pagingKeys = options.pagingKeys ?? 10_000;
  const fill = async (keys: readonly string[]): Promise<void> => {
    for (let i = 0; i < keys.length; i += 500) {
      await store().batch(keys.slice(i, i + 500).map((key) => ({ type: 'put' as const, key, value: bytes(key) })));
    }
  };

  it(
    'lists nothing on an empty store',
    async () => {
      expect(await store().list()).toEqual({ entries: [], cursor: null });
      expect(await store().list({ prefix: 'x/', limit: 5 })).toEqual({ entries: [], cursor: null });
    },
    t,
  );

  it(
    'lists in ascending UTF-8 byte order, not UTF-16 order',
    async () => {
      const keys = ['b', 'a', 'a/b', 'a0', 'A', 'aa', '\uFFFD', '😀', 'é', 'z'];
      await fill(keys);
      const listed = keysOf((await store().list()).entries);
      expect(listed).toEqual([...keys].sort(compareUtf8));
      // U+1F600 is D83D… in UTF-16 but F0… in UTF-8, so it sorts after U+FFFD (EF BF BD).
      expect(listed.indexOf('😀')).toBeGreaterThan(listed.indexOf('\uFFFD'));
    },
    t,
  );

  it(
    'returns values and versions with each entry',
    async () => {
      const version = await store().put('e/1', bytes('one'));
      const [entry] = (await store().list({ prefix: 'e/' })).entries;
      expect(entry).toEqual({ key: 'e/1', value: bytes('one'), version });
    },
    t,
  );

  it(
    'honours prefix, start and end together',
    async () => {
      await fill(['p/a', 'p/b', 'p/c', 'p/d', 'pa', 'p', 'q/a', 'o/z']);
      expect(keysOf((await store().list({ prefix: 'p/' })).entries)).toEqual(['p/a', 'p/b', 'p/c', 'p/d']);
      expect(keysOf((await store().list({ prefix: 'p/', start: 'p/b' })).entries)).toEqual(['p/b', 'p/c', 'p/d']);
      expect(keysOf((await store().list({ prefix: 'p/', end: 'p/c' })).entries)).toEqual(['p/a', 'p/b']);
      expect(keysOf((await store().list({ prefix: 'p/', start: 'p/b', end: 'p/d' })).entries)).toEqual(['p/b', 'p/c']);
      expect(keysOf((await store().list({ start: 'p', end: 'q' })).entries)).toEqual([
        'p',
        'p/a',
        'p/b',
        'p/c',
        'p/d',
        'pa',
      ]);
      expect(keysOf((await store().list({ prefix: 'p/', start: 'a', end: 'zz' })).entries)).toHaveLength(4);
      expect((await store().list({ prefix: 'p/', start: 'p/x' })).entries).toEqual([]);
    },
    t,
  );

  it(
    'handles prefixes ending in high code points',
    async () => {
      await fill(['\u00ff', '\u00ff/a', '\u00ffz', '\u0100', 'ÿ', '\uFFFF', '\uFFFF/x', '😀', '😀/a']);
      expect(keysOf((await store().list({ prefix: '\u00ff' })).entries)).toEqual(['\u00ff', '\u00ff/a', '\u00ffz']);
      expect(keysOf((await store().list({ prefix: '\uFFFF' })).entries)).toEqual(['\uFFFF', '\uFFFF/x']);
      expect(keysOf((await store().list({ prefix: '😀' })).entries)).toEqual(['😀', '😀/a']);
    },
    t,
  );

  it(
    'pages with limit and cursor; the last page has a null cursor',
    async () => {
      const keys = Array.from({ length: 25 }, (_, i) => numbered('l/', i));
      await fill(keys);
      const first = await store().list({ prefix: 'l/', limit: 10 });
      expect(keysOf(first.entries)).toEqual(keys.slice(0, 10));
      expect(first.cursor).not.toBeNull();
      const second = await store().list({ prefix: 'l/', limit: 10, cursor: first.cursor ?? '' });
      expect(keysOf(second.entries)).toEqual(keys.slice(10, 20));
      const third = await store().list({ prefix: 'l/', limit: 10, cursor: second.cursor ?? '' });
      expect(keysOf(third.entries)).toEqual(keys.slice(20));
      expect(third.cursor).toBeNull();
    },
    t,
  );

  it(
    `pages across ${pagingKeys} keys returning each exactly once, in order`,
    async () => {
      const keys = Array.from({ length: pagingKeys }, (_, i) => numbered(`big/${i % 7}/`, i));
      await fill([...keys, 'bif', 'bih/after']);
      const listed = keysOf(await listAll(store(), { prefix: 'big/', limit: 777 }));
      expect(listed).toEqual([...keys].sort(compareUtf8));
      const unbounded = await store().list({ prefix: 'big/' });
      expect(unbounded.entries.length).toBeGreaterThan(0);
      expect(unbounded.entries.length).toBeLessThanOrEqual(1000);
      expect(unbounded.cursor).not.toBeNull();
    },
    t,
  );

  it(
    'paging stays correct while other keys are written and deleted between pages',
    async () => {
      const keys = Array.from({ length: Math.min(pagingKeys, 3000) }, (_, i) => numbered('live/', i * 2));
      await fill(keys);
      const listed = await listAll(store(), { prefix: 'live/', limit: 250 }, async (page) => {
        // Neighbours of the keys under listing: odd numbers interleave with every page, before and after it.
        await store().batch([
          { type: 'put', key: numbered('live/', page * 500 + 1), value: bytes('new') },
          { type: 'put', key: numbered('live/', 5999 - page * 2), value: bytes('new') },
          { type: 'put', key: `livf/${page}`, value: bytes('outside') },
        ]);
        await store().put(numbered('live/', 1), bytes(`rewritten-${page}`));
        // An original key on a later page is rewritten (same bytes, new version): still listed once.
        const ahead = keys[(page + 1) * 250 + 3];
        if (ahead !== undefined) await store().put(ahead, bytes(ahead));
      });
      const original = listed.filter((e) => text(e.value) !== 'new' && !text(e.value)?.startsWith('rewritten'));
      expect(keysOf(original)).toEqual(keys);
      const all = keysOf(listed);
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual([...all].sort(compareUtf8));
      expect(all.every((k) => k.startsWith('live/'))).toBe(true);
    },
    t,
  );
}
