import type { KvStore } from '@depot/core';
import { expect, it } from 'vitest';
import type { KvStoreSuiteOptions } from '../kv-suite.js';
import { bytes, expectKvCode, text } from './kv-context.js';

/** Compare-and-swap: create-if-absent, stale versions, deletes and concurrent writers. */
export function kvCasCases(store: () => KvStore, options: KvStoreSuiteOptions): void {
  const t = options.timeoutMs;
  const writers = options.casWriters ?? 32;

  it(
    'putIfVersion with the current version succeeds and returns a new version',
    async () => {
      const v1 = await store().put('k', bytes('one'));
      const v2 = await store().putIfVersion('k', bytes('two'), v1);
      expect(v2).not.toBe(v1);
      expect(await store().getVersioned('k')).toEqual({ value: bytes('two'), version: v2 });
    },
    t,
  );

  it(
    'putIfVersion with a stale version is CONFLICT and leaves the value alone',
    async () => {
      const v1 = await store().put('k', bytes('one'));
      const v2 = await store().put('k', bytes('two'));
      await expectKvCode(store().putIfVersion('k', bytes('three'), v1), 'CONFLICT');
      expect(await store().getVersioned('k')).toEqual({ value: bytes('two'), version: v2 });
    },
    t,
  );

  it(
    'put-if-absent creates a missing key and is CONFLICT on an existing one',
    async () => {
      const v1 = await store().putIfVersion('k', bytes('first'), null);
      await expectKvCode(store().putIfVersion('k', bytes('second'), null), 'CONFLICT');
      expect(await store().getVersioned('k')).toEqual({ value: bytes('first'), version: v1 });
    },
    t,
  );

  it(
    'putIfVersion on a missing key with a version is CONFLICT, also after a delete',
    async () => {
      const v1 = await store().put('k', bytes('one'));
      await store().delete('k');
      await expectKvCode(store().putIfVersion('k', bytes('two'), v1), 'CONFLICT');
      await expectKvCode(store().putIfVersion('other', bytes('two'), v1), 'CONFLICT');
      expect(await store().get('k')).toBeNull();
      expect(await store().get('other')).toBeNull();
    },
    t,
  );

  it(
    `${writers} concurrent compare-and-swap writers on one key: exactly one wins`,
    async () => {
      const base = await store().put('race', bytes('base'));
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) => store().putIfVersion('race', bytes(`writer-${i}`), base)),
      );
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, version: r.value }] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(writers - 1);
      for (const reason of lost) expect(reason).toMatchObject({ code: 'CONFLICT' });
      const final = await store().getVersioned('race');
      expect(final).toEqual({ value: bytes(`writer-${won[0]?.i}`), version: won[0]?.version });
    },
    t,
  );

  it(
    `${writers} concurrent put-if-absent writers: exactly one creates the key`,
    async () => {
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) => store().putIfVersion('fresh', bytes(`writer-${i}`), null)),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
      expect(text(await store().get('fresh'))).toBe(`writer-${winners[0]}`);
    },
    t,
  );

  it(
    'read-modify-write counters with retry lose no increment under concurrency',
    async () => {
      await store().put('counter', bytes('0'));
      const increment = async (): Promise<void> => {
        for (;;) {
          const cur = await store().getVersioned('counter');
          const next = bytes(String(Number(text(cur?.value ?? null)) + 1));
          try {
            await store().putIfVersion('counter', next, cur?.version ?? null);
            return;
          } catch (err) {
            expect(err).toMatchObject({ code: 'CONFLICT' });
          }
        }
      };
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 10; i++) await increment();
        }),
      );
      expect(text(await store().get('counter'))).toBe('80');
    },
    t,
  );

  it(
    'deleteIfVersion deletes at the current version and is CONFLICT otherwise',
    async () => {
      const v1 = await store().put('k', bytes('one'));
      const v2 = await store().put('k', bytes('two'));
      await expectKvCode(store().deleteIfVersion('k', v1), 'CONFLICT');
      expect(await store().getVersioned('k')).toEqual({ value: bytes('two'), version: v2 });
      await store().deleteIfVersion('k', v2);
      expect(await store().get('k')).toBeNull();
      await expectKvCode(store().deleteIfVersion('k', v2), 'CONFLICT');
      await expectKvCode(store().deleteIfVersion('never', v2), 'CONFLICT');
    },
    t,
  );

  it(
    'concurrent deleteIfVersion at one version: exactly one succeeds',
    async () => {
      const v = await store().put('k', bytes('v'));
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => store().deleteIfVersion('k', v)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    },
    t,
  );

  it(
    'concurrent deletes of one key: exactly one reports it deleted',
    async () => {
      await store().put('k', bytes('v'));
      const results = await Promise.all(Array.from({ length: 8 }, () => store().delete('k')));
      expect(results.filter(Boolean)).toHaveLength(1);
    },
    t,
  );
}
