import { beforeEach, describe, expect, it } from 'vitest';
import type { ByteSource } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { isDepotError } from '../errors/depot-error.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords, type RepositoryRecord } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import { type ArtifactRead, MAX_PROXY_DEPTH, type RepositoryEngine } from './engine.js';

const enc = new TextEncoder();
async function* source(text: string): ByteSource {
  yield enc.encode(text);
}
async function bodyText(read: ArtifactRead | null): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of read?.body ?? source('')) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}
async function failure(p: Promise<unknown>): Promise<{ code: string; details?: Readonly<Record<string, unknown>> }> {
  try {
    await p;
    return { code: 'resolved' };
  } catch (err) {
    if (!isDepotError(err)) return { code: `non-depot: ${String(err)}` };
    return err.details === undefined ? { code: err.code } : { code: err.code, details: err.details };
  }
}

describe('repository engine: proxy', () => {
  let records: DepotRecords;
  let engine: RepositoryEngine;
  const add = (
    name: string,
    repo_type: RepositoryRecord['repo_type'],
    extra: Partial<RepositoryRecord> = {},
  ): Promise<string> =>
    records.repositories.put(name, {
      name,
      repo_type,
      format: 'raw',
      store: 'main',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      ...extra,
    });
  beforeEach(async () => {
    records = depotRecords(memoryKvStore());
    const blobs = memoryBlobStore();
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      // Every cache upstream is down in these tests.
      fetch: () => Promise.reject(new Error('connection refused')),
      cachePolicy: () => undefined,
    });
    await add('A', 'hosted');
    await add('B', 'hosted');
    await add('C', 'cache', { upstream_url: 'http://127.0.0.1:9/' });
  });

  it('asks members in order; the first hit wins', async () => {
    await engine.put('A', 'same.txt', source('from A'));
    await engine.put('B', 'same.txt', source('from B'));
    await engine.put('B', 'only-b.txt', source('b'));
    await add('AB', 'proxy', { members: ['A', 'B'] });
    await add('BA', 'proxy', { members: ['B', 'A'] });
    expect(await bodyText(await engine.get('AB', 'same.txt'))).toBe('from A');
    expect(await bodyText(await engine.get('BA', 'same.txt'))).toBe('from B');
    const onlyB = await engine.get('AB', 'only-b.txt');
    expect(onlyB?.repo).toBe('B');
    expect(await engine.get('AB', 'nowhere.txt')).toBeNull();
    expect(await engine.stat('AB', 'same.txt')).toBeNull(); // stat is local only
  });

  it('skips a failing cache member when a later member has the artifact', async () => {
    await engine.put('B', 'lib.jar', source('hosted copy'));
    await add('P', 'proxy', { members: ['C', 'B'] });
    expect(await bodyText(await engine.get('P', 'lib.jar'))).toBe('hosted copy');
    expect((await failure(engine.get('P', 'missing.jar'))).code).toBe('UPSTREAM_ERROR');
  });

  it('routes writes to write_member, else the first hosted member through nested proxies', async () => {
    await add('inner', 'proxy', { members: ['C', 'B'] });
    await add('outer', 'proxy', { members: ['inner', 'A'] });
    await add('pinned', 'proxy', { members: ['A', 'B'], write_member: 'B' });
    await add('readonly', 'proxy', { members: ['C'] });
    const written = await engine.put('outer', 'w.txt', source('w'));
    expect(written.repo).toBe('B');
    expect((await engine.resolveWriteTarget('outer')).name).toBe('B');
    expect((await engine.put('pinned', 'p.txt', source('p'))).repo).toBe('B');
    expect(await engine.stat('A', 'p.txt')).toBeNull();
    expect((await failure(engine.put('readonly', 'x', source('x')))).code).toBe('NOT_ALLOWED');
    expect((await engine.resolveMembers('outer')).map((r) => r.name)).toEqual(['C', 'B', 'A']);
    expect((await engine.resolveMembers('A')).map((r) => r.name)).toEqual(['A']);
  });

  it('rejects cycles and chains deeper than MAX_PROXY_DEPTH, naming the chain', async () => {
    await add('p', 'proxy', { members: ['A', 'q'] });
    await add('q', 'proxy', { members: ['p'] });
    const cycle = await failure(engine.get('p', 'x'));
    expect(cycle.code).toBe('BAD_REQUEST');
    expect(cycle.details?.chain).toEqual(['p', 'q', 'p']);
    for (let i = 0; i <= MAX_PROXY_DEPTH; i++) {
      await add(`d${i}`, 'proxy', { members: i === MAX_PROXY_DEPTH ? ['A'] : [`d${i + 1}`] });
    }
    const deep = await failure(engine.get('d0', 'x'));
    expect(deep.code).toBe('BAD_REQUEST');
    expect(deep.details?.chain).toHaveLength(MAX_PROXY_DEPTH + 1);
    // Exactly MAX_PROXY_DEPTH nested proxies is fine.
    expect(await engine.get('d1', 'x')).toBeNull();
  });

  it('merges member listings by path with one cursor, first member winning duplicates', async () => {
    for (const p of ['a', 'c', 'e']) await engine.put('A', p, source(`A:${p}`));
    for (const p of ['b', 'c', 'd', 'f']) await engine.put('B', p, source(`B:${p}`));
    await add('P', 'proxy', { members: ['A', 'B'] });
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.list('P', { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      pages.push(page.artifacts.map((a) => `${a.repo}:${a.path}`));
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(pages.flat()).toEqual(['A:a', 'B:b', 'A:c', 'B:d', 'A:e', 'B:f']);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    const found = await engine.search('P', { q: 'C' });
    expect(found.artifacts.map((a) => a.repo)).toEqual(['A']);
  });

  it('deletes from every hosted and cache member', async () => {
    await engine.put('A', 'del.txt', source('a'));
    await engine.put('B', 'del.txt', source('b'));
    await add('P', 'proxy', { members: ['A', 'B'] });
    expect(await engine.delete('P', 'del.txt')).toBe(true);
    expect(await engine.stat('A', 'del.txt')).toBeNull();
    expect(await engine.stat('B', 'del.txt')).toBeNull();
    expect(await engine.delete('P', 'del.txt')).toBe(false);
  });

  it('skips members that do not exist or are being deleted', async () => {
    await add('Z', 'hosted', { deleting: true });
    await engine.put('A', 'k.txt', source('k'));
    await add('P', 'proxy', { members: ['ghost', 'Z', 'A'] });
    expect((await engine.resolveMembers('P')).map((r) => r.name)).toEqual(['A']);
    expect(await bodyText(await engine.get('P', 'k.txt'))).toBe('k');
  });
  it('merges correctly when a backend returns short pages', async () => {
    const inner = memoryKvStore();
    // A backend that returns at most one entry per call (like a size-capped DynamoDB page).
    const stingy = { ...inner, list: (o?: Parameters<typeof inner.list>[0]) => inner.list({ ...o, limit: 1 }) };
    records = depotRecords(stingy);
    const blobs = memoryBlobStore();
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: () => Promise.reject(new Error('unused')),
      cachePolicy: () => undefined,
    });
    await add('A', 'hosted');
    await add('B', 'hosted');
    await add('P', 'proxy', { members: ['A', 'B'] });
    for (const p of ['a', 'b', 'c']) await engine.put('A', p, source(p));
    for (const p of ['a', 'z']) await engine.put('B', p, source(p));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.list('P', { limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.artifacts.map((a) => `${a.repo}:${a.path}`));
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(['A:a', 'A:b', 'A:c', 'B:z']);
  });
});
