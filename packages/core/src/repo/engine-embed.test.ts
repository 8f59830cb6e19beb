import { describe, expect, it } from 'vitest';
import { text } from '../../test/engine-support.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { depotRecords, type RepositoryRecord } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';

const at = new Date(0).toISOString();
const repo = (name: string, extra: Partial<RepositoryRecord> = {}): RepositoryRecord => ({
  name,
  repo_type: 'hosted',
  format: 'idx',
  store: 'default',
  created_at: at,
  updated_at: at,
  ...extra,
});

describe('engine for embedders', () => {
  it('runs hosted-only without fetch or cache policies, takes bytes and strings, and closes', async () => {
    const records = depotRecords(memoryKvStore());
    const blobs = memoryBlobStore();
    await records.repositories.put('h', repo('h'));
    const engine = createRepositoryEngine({ records, blobStore: async () => blobs });
    await engine.put('h', 'a.txt', 'from a string');
    await engine.put('h', 'b.bin', new Uint8Array([104, 105]));
    expect(await text(await engine.get('h', 'a.txt'))).toBe('from a string');
    expect(await text(await engine.get('h', 'b.bin'))).toBe('hi');
    await engine.close();
    expect(await engine.stat('h', 'a.txt')).not.toBeNull();
  });

  it('stores cache fills of internal paths as internal, hidden from browse and search', async () => {
    const records = depotRecords(memoryKvStore());
    const blobs = memoryBlobStore();
    await records.repositories.put('c', repo('c', { repo_type: 'cache', upstream_url: 'http://upstream.test' }));
    const engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: async () => new Response('doc', { headers: { 'content-length': '3' } }),
      cachePolicy: () => ({ isInternal: (path) => path.startsWith('_index/') }),
    });
    for (const path of ['_index/pkg.json', 'files/pkg.tgz']) await text(await engine.get('c', path));
    await engine.idle();
    expect((await engine.stat('c', '_index/pkg.json'))?.internal).toBe(true);
    expect((await engine.stat('c', 'files/pkg.tgz'))?.internal).toBeUndefined();
    expect((await engine.search('c', { q: 'pkg' })).artifacts.map((a) => a.path)).toEqual(['files/pkg.tgz']);
    expect((await engine.browse('c', '')).dirs.map((d) => d.name)).toEqual(['files']);
  });
});
