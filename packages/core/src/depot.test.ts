import { describe, expect, it } from 'vitest';
import { code, failure, text } from '../test/engine-support.js';
import { memoryBlobStore } from './blob/memory-blob-store.js';
import { createDepot, type Depot } from './depot.js';
import type { Format } from './format/format.js';
import type { KvStore } from './kv/kv-store.js';
import { memoryKvStore } from './kv/memory-kv-store.js';
import type { RepositoryRecord } from './kv/records.js';
import type { RepositoryInput } from './repo/repository-admin.js';

/** A format with no runtime: enough for repositories and the engine. */
const idx: Format = {
  name: 'idx',
  capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
  repositoryRecordPrefixes: (repo) => [`${repo}/`],
  init() {
    throw new Error('not served in these tests');
  },
};
const other: Format = { ...idx, name: 'other', repositoryRecordPrefixes: undefined };

const hosted = (name: string, extra: Partial<RepositoryInput> = {}): RepositoryInput => ({
  name,
  repo_type: 'hosted',
  format: 'idx',
  store: 'main',
  ...extra,
});
/** A record as a JavaScript caller might hand it in, past the types. */
const loose = (fields: Record<string, unknown>): RepositoryInput => fields as unknown as RepositoryInput;

function depot(kv: KvStore = memoryKvStore()): Depot {
  return createDepot({ kv, blobStores: { main: memoryBlobStore() }, formats: [idx, other] });
}

async function keysUnder(kv: KvStore, prefix: string): Promise<string[]> {
  return (await kv.list({ prefix })).entries.map((e) => e.key);
}

describe('createDepot: repositories are validated on create', () => {
  it('refuses a misspelt repo_type, writing nothing', async () => {
    const d = depot();
    expect(await failure(d.repositories.create(loose({ ...hosted('a'), repo_type: 'hostd' })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'repo_type',
    });
    expect(await d.repositories.list()).toEqual([]);
  });

  it('refuses a store that was not given, an unknown format and a bad name', async () => {
    const d = depot();
    expect(await failure(d.repositories.create(hosted('a', { store: 'nope' })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'store',
    });
    expect(await failure(d.repositories.create(loose({ ...hosted('a'), store: undefined })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'store',
    });
    expect(await failure(d.repositories.create(hosted('a', { format: 'pypi' })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'format',
    });
    expect(await failure(d.repositories.create(hosted('../a')))).toEqual({ code: 'BAD_REQUEST', field: 'name' });
    expect(await failure(d.repositories.create(hosted('a', { format_options: { listen: ':5000' } })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'listen',
    });
    expect(await d.repositories.list()).toEqual([]);
  });

  it('applies the type rules: cache needs upstream_url, hosted takes none, duplicates conflict', async () => {
    const d = depot();
    expect(await failure(d.repositories.create(hosted('c', { repo_type: 'cache' })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'upstream_url',
    });
    const ftp = hosted('c', { repo_type: 'cache', upstream_url: 'ftp://x.test/' });
    expect(await failure(d.repositories.create(ftp))).toEqual({ code: 'BAD_REQUEST', field: 'upstream_url' });
    expect(await failure(d.repositories.create(hosted('h', { upstream_url: 'http://x.test/' })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'upstream_url',
    });
    await d.repositories.create(hosted('h'));
    expect(await code(d.repositories.create(hosted('h')))).toBe('CONFLICT');
  });

  it('refuses proxy members that are unknown, of another format, or form a cycle', async () => {
    const d = depot();
    await d.repositories.create(hosted('h'));
    await d.repositories.create(hosted('o', { format: 'other' }));
    const proxy = (members: string[]) => hosted('p', { repo_type: 'proxy', members });
    expect(await failure(d.repositories.create(proxy(['h', 'ghost'])))).toEqual({
      code: 'BAD_REQUEST',
      field: 'members',
    });
    expect(await failure(d.repositories.create(proxy(['o'])))).toEqual({ code: 'BAD_REQUEST', field: 'members' });
    expect(await failure(d.repositories.create(proxy(['p'])))).toEqual({ code: 'BAD_REQUEST', field: 'members' });
    await d.repositories.create(proxy(['h']));
    await d.repositories.create(hosted('q', { repo_type: 'proxy', members: ['p'] }));
    expect(await failure(d.repositories.update('p', { members: ['h', 'q'] }))).toEqual({
      code: 'BAD_REQUEST',
      field: 'members',
    });
  });
});

describe('createDepot: updates are validated too', () => {
  it('refuses invalid results and identity changes, leaving the record as it was', async () => {
    const d = depot();
    const created = await d.repositories.create(hosted('h', { cleanup_max_age_days: 5 }));
    expect(await failure(d.repositories.update('h', { upstream_url: 'http://x.test/' }))).toEqual({
      code: 'BAD_REQUEST',
      field: 'upstream_url',
    });
    expect(await failure(d.repositories.update('h', { store: 'other' }))).toEqual({
      code: 'BAD_REQUEST',
      field: 'store',
    });
    expect(await failure(d.repositories.update('h', loose({ repo_type: 'hostd' })))).toEqual({
      code: 'BAD_REQUEST',
      field: 'repo_type',
    });
    expect(await failure(d.repositories.update('h', { cleanup_max_age_days: 0 }))).toEqual({
      code: 'BAD_REQUEST',
      field: 'cleanup_max_age_days',
    });
    expect(await d.repositories.get('h')).toEqual(created);
    expect(await code(d.repositories.update('ghost', {}))).toBe('NOT_FOUND');
    const cleared = await d.repositories.update('h', { cleanup_max_age_days: null, cleanup_max_unaccessed_days: 9 });
    expect(cleared.cleanup_max_age_days).toBeUndefined();
    expect(cleared.cleanup_max_unaccessed_days).toBe(9);
  });
});

describe('createDepot: artifacts and delete', () => {
  it('serves put/get/list through the engine and delete drains every record of the repository', async () => {
    const kv = memoryKvStore();
    const d = depot(kv);
    await d.repositories.create(hosted('a'));
    await d.repositories.create(hosted('ab'));
    await d.engine.put('a', 'dir/x.txt', 'x');
    await d.engine.put('ab', 'dir/y.txt', 'y');
    // Records the format keeps of its own, for both repositories.
    await kv.put('fmt/idx/a/state', new Uint8Array([1]));
    await kv.put('fmt/idx/ab/state', new Uint8Array([2]));
    await kv.put('dir/a/dir', new Uint8Array([3]));
    expect(await text(await d.engine.get('a', 'dir/x.txt'))).toBe('x');

    await d.repositories.delete('a');
    expect(await code(d.repositories.get('a'))).toBe('NOT_FOUND');
    expect(await code(d.engine.get('a', 'dir/x.txt'))).toBe('NOT_FOUND');
    expect(await kv.get('repo/a')).toBeNull();
    for (const prefix of ['artifact/a/', 'dir/a/', 'fmt/idx/a/']) expect(await keysUnder(kv, prefix)).toEqual([]);
    // The repository whose name merely starts the same keeps everything.
    expect(await keysUnder(kv, 'fmt/idx/ab/')).toEqual(['fmt/idx/ab/state']);
    expect(await text(await d.engine.get('ab', 'dir/y.txt'))).toBe('y');
    // The name can be used again, and starts empty.
    await d.repositories.create(hosted('a'));
    expect((await d.engine.list('a')).artifacts).toEqual([]);
    expect(await code(d.repositories.delete('ghost'))).toBe('NOT_FOUND');
  });

  it('refuses to delete a proxy member', async () => {
    const d = depot();
    await d.repositories.create(hosted('h'));
    await d.repositories.create(hosted('p', { repo_type: 'proxy', members: ['h'] }));
    expect(await code(d.repositories.delete('h'))).toBe('CONFLICT');
    expect((await d.repositories.get('h')).name).toBe('h');
  });
});

describe('createDepot: close', () => {
  it('waits for background last-access writes, then closes the blob stores and the KV store', async () => {
    const events: string[] = [];
    const base = memoryKvStore();
    // A KV whose artifact writes take a while, as over a network.
    const kv: KvStore = {
      ...base,
      async putIfVersion(key, value, expected) {
        if (key.startsWith('artifact/')) await new Promise((resolve) => setTimeout(resolve, 50));
        const version = await base.putIfVersion(key, value, expected);
        if (key.startsWith('artifact/')) events.push(`wrote ${key}`);
        return version;
      },
      async close() {
        events.push('kv closed');
        await base.close();
      },
    };
    const blobs = memoryBlobStore();
    const d = createDepot({
      kv,
      blobStores: { main: { ...blobs, close: async () => void events.push('blobs closed') } },
      formats: [idx],
    });
    await d.repositories.create(hosted('h'));
    const stored = await d.engine.put('h', 'a.txt', new Uint8Array([104, 105]));
    events.length = 0;
    // Last read long ago: the next read records a new last-access time in the background.
    const old: RepositoryRecord['created_at'] = '2000-01-01T00:00:00.000Z';
    await d.records.artifacts.put('h/a.txt', { ...stored, last_accessed_at: old });
    d.engine.invalidateRepository('h');
    expect(await text(await d.engine.get('h', 'a.txt'))).toBe('hi');
    expect(events).toEqual([]);
    await d.close();
    expect(events).toEqual(['wrote artifact/h/a.txt', 'blobs closed', 'kv closed']);
    await d.close();
    expect(events).toHaveLength(3);
  });
});
