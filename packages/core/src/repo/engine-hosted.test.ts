import { beforeEach, describe, expect, it, vi } from 'vitest';
import { code, repo, source, text } from '../../test/engine-support.js';
import type { BlobStore } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { isDepotError } from '../errors/depot-error.js';
import type { KvStore } from '../kv/kv-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { RepositoryEngine } from './engine.js';

describe('repository engine: hosted', () => {
  let kv: KvStore;
  let kvPuts: number;
  let records: DepotRecords;
  let blobs: BlobStore;
  let engine: RepositoryEngine;
  let clock: number;
  beforeEach(async () => {
    const inner = memoryKvStore();
    kvPuts = 0;
    const counting =
      (fn: KvStore['putIfVersion']): KvStore['putIfVersion'] =>
      (k, v, e) => {
        if (k.startsWith('artifact/')) kvPuts += 1;
        return fn(k, v, e);
      };
    kv = { ...inner, putIfVersion: counting(inner.putIfVersion) };
    records = depotRecords(kv);
    blobs = memoryBlobStore();
    clock = Date.parse('2026-03-01T00:00:00Z');
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: () => Promise.reject(new Error('no upstream in hosted tests')),
      cachePolicy: () => undefined,
      now: () => clock,
    });
    await records.repositories.put('h', repo('h'));
  });

  it('alsoAt stores the same content under more paths from one ingest, each with its own meta', async () => {
    const puts = vi.spyOn(blobs, 'put');
    const main = await engine.put('h', 'm/sha256-x', source('{"v":1}'), {
      contentType: 'application/x-m',
      algorithms: ['sha256'],
      meta: { kind: 'main' },
      alsoAt: [{ path: './t//latest', meta: { kind: 'tag' } }, { path: 't/stable' }],
    });
    expect(puts).toHaveBeenCalledTimes(1);
    const latest = await engine.stat('h', 't/latest');
    expect(latest).toMatchObject({ blob_id: main.blob_id, hashes: main.hashes, content_type: 'application/x-m' });
    expect(latest?.meta).toEqual({ kind: 'tag' });
    expect((await engine.stat('h', 't/stable'))?.meta).toBeUndefined();
    expect(await text(await engine.get('h', 't/stable'))).toBe('{"v":1}');
    // Aliases always overwrite, even when the main path is immutable.
    await engine.put('h', 'm/other', source('{"v":2}'), { overwrite: false, alsoAt: [{ path: 't/latest' }] });
    expect(await text(await engine.get('h', 't/latest'))).toBe('{"v":2}');
    await expect(engine.put('h', 'm/x', source('a'), { alsoAt: [{ path: '../escape' }] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('40 concurrent overwrites of one path all succeed; one whole write stays', async () => {
    const bodies = Array.from({ length: 40 }, (_, i) => `writer ${i}`);
    const results = await Promise.allSettled(bodies.map((b) => engine.put('h', 'race.txt', source(b))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(bodies).toContain(await text(await engine.get('h', 'race.txt')));
  });

  it('stores and serves an artifact with a guessed or given content type', async () => {
    const stored = await engine.put('h', 'dir/a.json', source('{"a":1}'));
    expect(stored).toMatchObject({ repo: 'h', path: 'dir/a.json', size: 7, content_type: 'application/json' });
    const read = await engine.get('h', 'dir/a.json');
    expect(read?.source).toBe('local');
    expect(await text(read)).toBe('{"a":1}');
    const typed = await engine.put('h', 'b.bin', source('x'), { contentType: 'application/x-custom' });
    expect(typed.content_type).toBe('application/x-custom');
    expect((await engine.put('h', 'c.unknownext', source('x'))).content_type).toBe('application/octet-stream');
  });

  it('normalizes paths and rejects traversal', async () => {
    await engine.put('h', '/x//y/./z.txt', source('z'));
    expect(await engine.stat('h', 'x/y/z.txt')).not.toBeNull();
    expect(await code(engine.put('h', 'a/../../etc/passwd', source('x')))).toBe('BAD_REQUEST');
    expect(await code(engine.get('h', ''))).toBe('BAD_REQUEST');
  });

  it('refuses to overwrite with overwrite:false and replaces otherwise, keeping created_at', async () => {
    const first = await engine.put('h', 'v1.tgz', source('one'));
    expect(await code(engine.put('h', 'v1.tgz', source('two'), { overwrite: false }))).toBe('CONFLICT');
    clock += 5000;
    const second = await engine.put('h', 'v1.tgz', source('three'));
    expect(second.created_at).toBe(first.created_at);
    expect(second.updated_at).not.toBe(first.updated_at);
    expect(await text(await engine.get('h', 'v1.tgz'))).toBe('three');
  });

  it('lets exactly one of concurrent put-if-absent writers win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => engine.put('h', 'once.txt', source(`w${i}`), { overwrite: false })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isDepotError(r.reason, 'CONFLICT')).toBe(true);
  });

  it('serves exact ranges and refuses unsatisfiable ones', async () => {
    await engine.put('h', 'r.bin', source('0123456789'));
    const read = await engine.get('h', 'r.bin', { range: { start: 2, end: 5 } });
    expect(read?.range).toEqual({ start: 2, end: 5 });
    expect(await text(read)).toBe('2345');
    const clamped = await engine.get('h', 'r.bin', { range: { start: 8, end: 100 } });
    expect(clamped?.range).toEqual({ start: 8, end: 9 });
    expect(await text(clamped)).toBe('89');
    expect(await code(engine.get('h', 'r.bin', { range: { start: 10, end: 12 } }))).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('stores and serves zero-byte artifacts', async () => {
    const stored = await engine.put('h', 'empty', source(new Uint8Array()));
    expect(stored.size).toBe(0);
    expect(stored.hashes.blake3).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(await text(await engine.get('h', 'empty'))).toBe('');
    expect(await code(engine.get('h', 'empty', { range: { start: 0, end: 0 } }))).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('answers HEAD without a body, stat locally, and deletes', async () => {
    await engine.put('h', 'd.txt', source('abc'));
    const head = await engine.get('h', 'd.txt', { headOnly: true });
    expect(head?.body).toBeNull();
    expect(head?.record.size).toBe(3);
    expect(await engine.delete('h', 'd.txt')).toBe(true);
    expect(await engine.delete('h', 'd.txt')).toBe(false);
    expect(await engine.get('h', 'd.txt')).toBeNull();
    expect(await engine.stat('h', 'd.txt')).toBeNull();
  });

  it('stores nothing on a digest mismatch or an oversize body', async () => {
    expect(await code(engine.put('h', 'm.bin', source('abc'), { expected: { sha256: '00'.repeat(32) } }))).toBe(
      'DIGEST_MISMATCH',
    );
    expect(await code(engine.put('h', 'm.bin', source('abcdef'), { maxBytes: 5 }))).toBe('PAYLOAD_TOO_LARGE');
    expect(await engine.stat('h', 'm.bin')).toBeNull();
    expect((await blobs.stats()).blobCount).toBe(0);
  });

  it('points 32 concurrent uploads of identical bytes at one blob', async () => {
    const data = new Uint8Array(40_000).fill(42);
    const stored = await Promise.all(
      Array.from({ length: 32 }, (_, i) => engine.put('h', `same/${i}.bin`, source(data))),
    );
    expect(new Set(stored.map((s) => s.blob_id)).size).toBe(1);
    expect((await blobs.stats()).blobCount).toBe(1);
    expect((await engine.list('h', { prefix: 'same/', limit: 100 })).artifacts).toHaveLength(32);
    // Deleting one path must not break the others (F9).
    await engine.delete('h', 'same/0.bin');
    expect((await text(await engine.get('h', 'same/1.bin'))).length).toBe(40_000);
  });

  it('lists in path order with a stable cursor', async () => {
    const paths = ['b/2', 'a/1', 'c', 'a/0', 'é', 'z/😀', 'z/\uffff'];
    for (const p of paths) await engine.put('h', p, source(p));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await engine.list('h', { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.artifacts.length).toBeLessThanOrEqual(2);
      seen.push(...page.artifacts.map((a) => a.path));
      if (seen.length === 2) await engine.put('h', '0-before-cursor', source('x')); // not re-listed, not breaking
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    // UTF-8 byte order: 'z' (7a) before 'é' (c3 a9); U+FFFF (ef bf bf) before U+1F600 (f0 9f 98 80),
    // unlike UTF-16 code-unit order, where the surrogate d83d sorts before ffff.
    expect(seen).toEqual(['a/0', 'a/1', 'b/2', 'c', 'z/\uffff', 'z/😀', 'é']);
    expect((await engine.list('h', { prefix: 'a/' })).artifacts.map((a) => a.path)).toEqual(['a/0', 'a/1']);
    expect((await engine.list('h', { prefix: '/a/' })).artifacts.map((a) => a.path)).toEqual(['a/0', 'a/1']);
    expect(await code(engine.list('h', { cursor: '!!' }))).toBe('BAD_REQUEST');
  });

  it('browses one directory level with aggregates', async () => {
    clock = Date.parse('2026-03-01T00:00:00Z');
    await engine.put('h', 'lib/x/1.jar', source('12345'));
    clock += 1000;
    await engine.put('h', 'lib/x/sub/2.jar', source('123'));
    await engine.put('h', 'lib/y/3.jar', source('1'));
    await engine.put('h', 'lib/top.txt', source('t'));
    await engine.put('h', 'other.txt', source('o'));
    const result = await engine.browse('h', 'lib');
    expect(result.artifacts.map((a) => a.path)).toEqual(['lib/top.txt']);
    expect(result.dirs).toEqual([
      { name: 'x', artifact_count: 2, total_bytes: 8, last_modified_at: '2026-03-01T00:00:01.000Z' },
      { name: 'y', artifact_count: 1, total_bytes: 1, last_modified_at: '2026-03-01T00:00:01.000Z' },
    ]);
    const root = await engine.browse('h', '');
    expect(root.dirs.map((d) => d.name)).toEqual(['lib']);
    expect(root.artifacts.map((a) => a.path)).toEqual(['other.txt']);
  });

  it('searches paths case-insensitively with cursor paging', async () => {
    for (const p of ['Foo-1.tgz', 'bar/foo-2.tgz', 'baz.txt', 'x/FOO-3.tgz']) await engine.put('h', p, source(p));
    const first = await engine.search('h', { q: 'foo', limit: 2 });
    expect(first.artifacts.map((a) => a.path)).toEqual(['Foo-1.tgz', 'bar/foo-2.tgz']);
    const second = await engine.search('h', { q: 'foo', limit: 2, cursor: first.cursor ?? '' });
    expect(second.artifacts.map((a) => a.path)).toEqual(['x/FOO-3.tgz']);
    expect(second.cursor).toBeNull();
  });

  it('treats unknown and deleting repositories as NOT_FOUND', async () => {
    await records.repositories.put('gone', repo('gone', { deleting: true }));
    await engine.put('h', 'p', source('x'));
    expect(await code(engine.get('gone', 'p'))).toBe('NOT_FOUND');
    expect(await code(engine.put('gone', 'p', source('x')))).toBe('NOT_FOUND');
    expect(await code(engine.list('gone'))).toBe('NOT_FOUND');
    expect(await code(engine.get('missing', 'p'))).toBe('NOT_FOUND');
  });

  it('records last access at most once a minute per artifact, without a write per GET', async () => {
    await engine.put('h', 'hot.bin', source('hot'));
    const before = kvPuts;
    for (let i = 0; i < 20; i++) await text(await engine.get('h', 'hot.bin'));
    expect(kvPuts).toBe(before);
    clock += 61_000;
    for (let i = 0; i < 20; i++) await text(await engine.get('h', 'hot.bin'));
    await vi.waitFor(async () => {
      expect((await engine.stat('h', 'hot.bin'))?.last_accessed_at).toBe(new Date(clock).toISOString());
    });
    expect(kvPuts).toBe(before + 1);
  });
});
