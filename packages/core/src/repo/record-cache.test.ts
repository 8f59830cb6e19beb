import { beforeEach, describe, expect, it } from 'vitest';
import { code, repo, source, text } from '../../test/engine-support.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import type { KvStore } from '../kv/kv-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { artifactId, type DepotRecords, depotRecords } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { RepositoryEngine } from './engine.js';
import { ARTIFACT_CACHE_TTL_MS, REPOSITORY_CACHE_TTL_MS, RecordCache } from './record-cache.js';

describe('RecordCache', () => {
  it('expires entries after the TTL and holds at most `limit`, oldest out first', () => {
    let clock = 0;
    const cache = new RecordCache<number>(1000, 3, () => clock);
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k4')).toBe(4);
    clock = 1000;
    expect(cache.get('k4')).toBeUndefined();
  });

  it('does not store a load that an invalidation overtook, nor a miss', async () => {
    const cache = new RecordCache<string>(1000, 10, () => 0);
    let release: (v: string) => void = () => {};
    const pending = cache.load('k', () => new Promise<string>((r) => (release = r)));
    cache.delete('k');
    release('stale');
    expect(await pending).toBe('stale');
    expect(cache.get('k')).toBeUndefined();
    expect(await cache.load('gone', async () => null)).toBeNull();
    expect(cache.size).toBe(0);
  });
});

describe('repository engine: record caches', () => {
  let reads: Record<string, number>;
  let records: DepotRecords;
  let engine: RepositoryEngine;
  let clock: number;
  beforeEach(async () => {
    const inner = memoryKvStore();
    reads = {};
    const kv: KvStore = {
      ...inner,
      get: (key) => {
        const kind = key.slice(0, key.indexOf('/'));
        reads[kind] = (reads[kind] ?? 0) + 1;
        return inner.get(key);
      },
    };
    records = depotRecords(kv);
    const blobs = memoryBlobStore();
    clock = Date.parse('2026-03-01T00:00:00Z');
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: () => Promise.reject(new Error('no upstream')),
      cachePolicy: () => undefined,
      now: () => clock,
    });
    await records.repositories.put('h', repo('h'));
  });

  it('serves repeated GETs without re-reading the repository or artifact record', async () => {
    await engine.put('h', 'a.txt', source('a'));
    await text(await engine.get('h', 'a.txt'));
    const before = { ...reads };
    for (let i = 0; i < 10; i++) expect(await text(await engine.get('h', 'a.txt'))).toBe('a');
    expect(await engine.findRepository('h')).toMatchObject({ name: 'h' });
    expect(reads).toEqual(before);
  });

  it('sees a repository update at once after invalidation, and other writers within the TTL', async () => {
    expect((await engine.getRepository('h')).cache_ttl_secs).toBeUndefined();
    await records.repositories.put('h', repo('h', { cache_ttl_secs: 1 }));
    engine.invalidateRepository('h');
    expect((await engine.getRepository('h')).cache_ttl_secs).toBe(1);
    await records.repositories.put('h', repo('h', { cache_ttl_secs: 2 }));
    expect((await engine.getRepository('h')).cache_ttl_secs).toBe(1);
    clock += REPOSITORY_CACHE_TTL_MS;
    expect((await engine.getRepository('h')).cache_ttl_secs).toBe(2);
  });

  it('answers NOT_FOUND right after a repository is deleted, even with cached artifacts', async () => {
    await engine.put('h', 'a.txt', source('a'));
    await text(await engine.get('h', 'a.txt'));
    await records.repositories.put('h', repo('h', { deleting: true }));
    engine.invalidateRepository();
    expect(await code(engine.get('h', 'a.txt'))).toBe('NOT_FOUND');
    expect(await engine.findRepository('h')).toBeNull();
  });

  it('serves new bytes and headers right after an overwrite, and 404 right after a delete', async () => {
    await engine.put('h', 'a.txt', source('old'), { contentType: 'text/plain' });
    expect(await text(await engine.get('h', 'a.txt'))).toBe('old');
    await engine.put('h', 'a.txt', source('newer'), { contentType: 'application/x-new' });
    const read = await engine.get('h', 'a.txt');
    expect(read?.record).toMatchObject({ size: 5, content_type: 'application/x-new' });
    expect(await text(read)).toBe('newer');
    expect(await engine.delete('h', 'a.txt')).toBe(true);
    expect(await engine.get('h', 'a.txt')).toBeNull();
  });

  it('re-reads an artifact record written by another instance once the TTL has passed', async () => {
    await engine.put('h', 'a.txt', source('a'));
    await text(await engine.get('h', 'a.txt'));
    await records.artifacts.delete(artifactId('h', 'a.txt'));
    clock += ARTIFACT_CACHE_TTL_MS;
    expect(await engine.get('h', 'a.txt')).toBeNull();
  });
});
