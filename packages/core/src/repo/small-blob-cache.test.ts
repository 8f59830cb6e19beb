import { beforeEach, describe, expect, it } from 'vitest';
import { repo, source, text } from '../../test/engine-support.js';
import type { BlobStore } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { isDepotError } from '../errors/depot-error.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { RepositoryEngine } from './engine.js';
import { MemoryBody, memoryBody, SMALL_BLOB_MAX_BYTES, SmallBlobCache } from './small-blob-cache.js';

const enc = new TextEncoder();

describe('SmallBlobCache', () => {
  it('is bounded in total bytes and evicts the least recently used entry', () => {
    const cache = new SmallBlobCache(4, 10);
    cache.set('s', 'a', new Uint8Array(4));
    cache.set('s', 'b', new Uint8Array(4));
    expect(cache.get('s', 'a')).toBeDefined(); // a is now the most recent
    cache.set('s', 'c', new Uint8Array(4));
    expect(cache.size).toBeLessThanOrEqual(10);
    expect(cache.get('s', 'b')).toBeUndefined();
    expect(cache.get('s', 'a')).toBeDefined();
    expect(cache.get('s', 'c')).toBeDefined();
  });

  it('refuses entries over the per-entry limit and forgets deleted ones', () => {
    const cache = new SmallBlobCache(4, 10);
    cache.set('s', 'big', new Uint8Array(5));
    expect(cache.get('s', 'big')).toBeUndefined();
    cache.set('s', 'a', new Uint8Array(3));
    cache.delete('s', 'a');
    expect(cache.get('s', 'a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('memoryBody is a view that also iterates as a ByteSource', async () => {
    const bytes = enc.encode('hello world');
    const body = memoryBody(bytes, 6);
    expect(body).toBeInstanceOf(Uint8Array);
    expect(body).toBeInstanceOf(MemoryBody);
    const parts: Uint8Array[] = [];
    for await (const c of body) parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe('world');
  });
});

describe('repository engine: small-blob cache', () => {
  let records: DepotRecords;
  let blobs: BlobStore;
  let gets: number;
  let engine: RepositoryEngine;
  beforeEach(async () => {
    records = depotRecords(memoryKvStore());
    const inner = memoryBlobStore();
    gets = 0;
    blobs = {
      ...inner,
      get: (id, o) => {
        gets += 1;
        return inner.get(id, o);
      },
    };
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: async () => new Response(null, { status: 404 }),
      cachePolicy: () => undefined,
    });
    await records.repositories.put('h', repo('h'));
  });

  it('serves a small blob from memory after the first read', async () => {
    await engine.put('h', 'a.txt', source('one'));
    expect(await text(await engine.get('h', 'a.txt'))).toBe('one');
    const second = await engine.get('h', 'a.txt');
    expect(second?.body).toBeInstanceOf(MemoryBody);
    expect(await text(second)).toBe('one');
    expect(gets).toBe(1);
  });

  it('a write is seen by the next read; a delete makes it a miss', async () => {
    await engine.put('h', 'a.txt', source('one'));
    expect(await text(await engine.get('h', 'a.txt'))).toBe('one');
    await engine.put('h', 'a.txt', source('two'));
    expect(await text(await engine.get('h', 'a.txt'))).toBe('two');
    expect(await engine.delete('h', 'a.txt')).toBe(true);
    expect(await engine.get('h', 'a.txt')).toBeNull();
  });

  it('serves ranges from the cached bytes', async () => {
    await engine.put('h', 'a.txt', source('0123456789'));
    await engine.get('h', 'a.txt');
    const read = await engine.get('h', 'a.txt', { range: { start: 2, end: 4 } });
    expect(read?.range).toEqual({ start: 2, end: 4 });
    expect(await text(read)).toBe('234');
    try {
      await engine.get('h', 'a.txt', { range: { start: 10, end: 12 } });
      expect.unreachable();
    } catch (err) {
      expect(isDepotError(err, 'RANGE_NOT_SATISFIABLE')).toBe(true);
    }
  });

  it('streams blobs above the size limit from the store every time', async () => {
    const big = new Uint8Array(SMALL_BLOB_MAX_BYTES + 1).fill(7);
    await engine.put('h', 'big.bin', source(big));
    for (let i = 0; i < 2; i++) {
      const read = await engine.get('h', 'big.bin');
      expect(read?.body).not.toBeInstanceOf(MemoryBody);
      expect((await text(read)).length).toBe(big.byteLength);
    }
    expect(gets).toBe(2);
  });

  it('proxy repositories read their members through the same cache', async () => {
    await records.repositories.put('p', repo('p', { repo_type: 'proxy', members: ['h'] }));
    await engine.put('h', 'a.txt', source('one'));
    expect(await text(await engine.get('p', 'a.txt'))).toBe('one');
    await engine.put('h', 'a.txt', source('two'));
    expect(await text(await engine.get('p', 'a.txt'))).toBe('two');
  });
});
