import type { KvStore } from '@depot/core';
import { expect, it } from 'vitest';
import type { KvStoreSuiteOptions } from '../kv-suite.js';
import { bytes, text } from './kv-context.js';

/** Awkward keys every store must keep byte-exact. */
export const AWKWARD_KEYS: readonly string[] = [
  'repo/a/b/c.txt',
  'name:with:colons',
  'with spaces and\ttabs',
  'ünïcödé/日本語/😀',
  'percent%2Fencoded',
  '..',
  'trailing/',
  '\u0001control',
];

/** Misses, round trips, versions, empty values, deletes, awkward keys and batches. */
export function kvBasicCases(store: () => KvStore, options: KvStoreSuiteOptions): void {
  const t = options.timeoutMs;
  it(
    'a miss is null, never an error',
    async () => {
      expect(await store().get('missing')).toBeNull();
      expect(await store().getVersioned('missing')).toBeNull();
    },
    t,
  );

  it(
    'put then get round-trips bytes and reports the version it returned',
    async () => {
      const value = Uint8Array.from({ length: 256 }, (_, i) => i);
      const version = await store().put('k', value);
      expect(typeof version).toBe('string');
      expect(version.length).toBeGreaterThan(0);
      expect(await store().get('k')).toEqual(value);
      expect(await store().getVersioned('k')).toEqual({ value, version });
    },
    t,
  );

  it(
    'keeps its own copy of the value written',
    async () => {
      const value = bytes('original');
      await store().put('k', value);
      value.fill(0);
      expect(text(await store().get('k'))).toBe('original');
      // Also when the caller reuses its array before the write has settled.
      const reused = bytes('second');
      const pending = store().putIfVersion('k2', reused, null);
      reused.fill(0);
      await pending;
      expect(text(await store().get('k2'))).toBe('second');
    },
    t,
  );

  it(
    'changes the version on every write, even of identical bytes',
    async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) seen.add(await store().put('k', bytes('same')));
      const current = await store().getVersioned('k');
      seen.add(await store().putIfVersion('k', bytes('same'), current?.version ?? null));
      expect(seen.size).toBe(6);
    },
    t,
  );

  it(
    'stores empty values as empty, not as a miss',
    async () => {
      await store().put('empty', new Uint8Array(0));
      const got = await store().get('empty');
      expect(got).not.toBeNull();
      expect(got?.length).toBe(0);
      expect((await store().list({ prefix: 'empty' })).entries.map((e) => e.value.length)).toEqual([0]);
    },
    t,
  );

  it(
    'round-trips a 256 KiB value',
    async () => {
      const value = new Uint8Array(256 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 7 + (i >>> 10)) & 0xff;
      await store().put('big', value);
      const got = await store().get('big');
      expect(got?.byteLength).toBe(value.byteLength);
      expect(Buffer.compare(Buffer.from(got ?? new Uint8Array(0)), Buffer.from(value))).toBe(0);
    },
    t,
  );

  it(
    'delete reports whether something was deleted',
    async () => {
      await store().put('k', bytes('v'));
      expect(await store().delete('k')).toBe(true);
      expect(await store().get('k')).toBeNull();
      expect(await store().delete('k')).toBe(false);
      expect(await store().delete('never-written')).toBe(false);
    },
    t,
  );

  it(
    'keeps keys with unicode, /, :, spaces and dots exact',
    async () => {
      for (const [i, key] of AWKWARD_KEYS.entries()) await store().put(key, bytes(`v${i}`));
      for (const [i, key] of AWKWARD_KEYS.entries()) expect(text(await store().get(key))).toBe(`v${i}`);
      const listed = (await store().list()).entries.map((e) => e.key);
      expect(new Set(listed)).toEqual(new Set(AWKWARD_KEYS));
      expect(await store().get('ünïcödé/日本語')).toBeNull();
    },
    t,
  );

  it(
    'batch applies puts and deletes in order',
    async () => {
      await store().put('b/old', bytes('old'));
      await store().put('b/gone', bytes('x'));
      const ops = Array.from({ length: 50 }, (_, i) => ({
        type: 'put' as const,
        key: `b/${i}`,
        value: bytes(`v${i}`),
      }));
      await store().batch([
        ...ops,
        { type: 'delete', key: 'b/gone' },
        { type: 'put', key: 'b/old', value: bytes('new') },
        { type: 'put', key: 'b/twice', value: bytes('first') },
        { type: 'delete', key: 'b/twice' },
        { type: 'delete', key: 'b/never' },
      ]);
      for (let i = 0; i < 50; i++) expect(text(await store().get(`b/${i}`))).toBe(`v${i}`);
      expect(await store().get('b/gone')).toBeNull();
      expect(await store().get('b/twice')).toBeNull();
      expect(text(await store().get('b/old'))).toBe('new');
      await store().batch([]);
      expect((await store().list({ prefix: 'b/' })).entries).toHaveLength(51);
    },
    t,
  );

  it(
    'a batch write gives a key a new version that compare-and-swap accepts',
    async () => {
      const before = await store().put('k', bytes('a'));
      await store().batch([{ type: 'put', key: 'k', value: bytes('b') }]);
      const after = await store().getVersioned('k');
      expect(after?.version).not.toBe(before);
      await store().putIfVersion('k', bytes('c'), after?.version ?? null);
      expect(text(await store().get('k'))).toBe('c');
    },
    t,
  );
}
