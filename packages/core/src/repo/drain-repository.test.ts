import { describe, expect, it } from 'vitest';
import { code, repo } from '../../test/engine-support.js';
import type { KvStore } from '../kv/kv-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { depotRecords } from '../kv/records.js';
import { drainRepository } from './drain-repository.js';

const one = new Uint8Array([1]);

async function keys(kv: KvStore): Promise<string[]> {
  return (await kv.list({})).entries.map((e) => e.key);
}

describe('drainRepository', () => {
  it('stops between pages when aborted, keeps the marked record, and finishes on a second run', async () => {
    const kv = memoryKvStore();
    const records = depotRecords(kv);
    await records.repositories.put('a', repo('a', { deleting: true }));
    await records.repositories.put('ab', repo('ab'));
    for (let i = 0; i < 1200; i++) await kv.put(`artifact/a/f${i}`, one);
    await kv.put('artifact/ab/f', one);
    await kv.put('fmt/x/a/own', one);
    const controller = new AbortController();
    // Abort once the first page is gone.
    const batch = kv.batch.bind(kv);
    const aborting: KvStore = {
      ...kv,
      async batch(ops) {
        await batch(ops);
        controller.abort();
      },
    };
    const first = await drainRepository(
      depotRecords(aborting),
      { name: 'a' },
      {
        formatPrefixes: ['fmt/x/a/'],
        signal: controller.signal,
      },
    );
    expect(first.complete).toBe(false);
    expect((await records.repositories.get('a'))?.deleting).toBe(true);
    expect((await kv.list({ prefix: 'artifact/a/' })).entries.length).toBe(700);

    const second = await drainRepository(records, { name: 'a' }, { formatPrefixes: ['fmt/x/a/'] });
    expect(second).toEqual({ artifacts: 700, complete: true });
    expect(await keys(kv)).toEqual(['artifact/ab/f', 'repo/ab']);
  });

  it('refuses a repository that is not marked for deletion, touching nothing', async () => {
    const kv = memoryKvStore();
    const records = depotRecords(kv);
    await records.repositories.put('a', repo('a'));
    await kv.put('artifact/a/f', one);
    expect(await code(drainRepository(records, { name: 'a' }))).toBe('CONFLICT');
    expect(await keys(kv)).toEqual(['artifact/a/f', 'repo/a']);
    expect(await drainRepository(records, { name: 'gone' })).toEqual({ artifacts: 0, complete: true });
  });
});
