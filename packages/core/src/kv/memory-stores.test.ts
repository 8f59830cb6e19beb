import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { isDepotError } from '../errors/depot-error.js';
import { memoryKvStore } from './memory-kv-store.js';

// The in-memory stores are the reference doubles every core and format unit test runs on, so
// their contract semantics are pinned here until testkit's shared suites run on them too.
const enc = new TextEncoder();
const dec = new TextDecoder();
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isDepotError(err) ? err.code : `non-depot: ${String(err)}`;
  }
}
async function* bytes(...parts: string[]): ByteSource {
  for (const p of parts) yield enc.encode(p);
}
async function collect(body: ByteSource): Promise<string> {
  let out = '';
  for await (const c of body) out += dec.decode(c);
  return out;
}

describe('memoryKvStore', () => {
  it('does compare-and-swap with versions; exactly one of N concurrent creators wins', async () => {
    const kv = memoryKvStore();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => kv.putIfVersion('k', enc.encode('v'), null)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const current = await kv.getVersioned('k');
    expect(await code(kv.putIfVersion('k', enc.encode('x'), 'stale'))).toBe('CONFLICT');
    const next = await kv.putIfVersion('k', enc.encode('y'), current?.version ?? null);
    expect(next).not.toBe(current?.version);
    expect(await code(kv.deleteIfVersion('k', current?.version ?? ''))).toBe('CONFLICT');
    await kv.deleteIfVersion('k', next);
    expect(await kv.get('k')).toBeNull();
  });

  it('copies values so callers cannot alias stored bytes', async () => {
    const kv = memoryKvStore();
    const value = enc.encode('abc');
    await kv.put('k', value);
    value[0] = 0;
    const read = await kv.get('k');
    expect(dec.decode(read ?? new Uint8Array())).toBe('abc');
  });

  it('lists in UTF-8 byte order with prefix, start, end and a last-key cursor', async () => {
    const kv = memoryKvStore();
    for (const k of ['p/b', 'p/a', 'p/😀', 'p/\uffff', 'q/a', 'p:x']) await kv.put(k, enc.encode(k));
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await kv.list({ prefix: 'p/', limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      keys.push(...page.entries.map((e) => e.key));
      if (page.cursor !== null) expect(page.cursor).toBe(page.entries[page.entries.length - 1]?.key);
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(keys).toEqual(['p/a', 'p/b', 'p/\uffff', 'p/😀']);
    const ranged = await kv.list({ prefix: 'p/', start: 'p/b', end: 'p/😀' });
    expect(ranged.entries.map((e) => e.key)).toEqual(['p/b', 'p/\uffff']);
    await kv.batch([
      { type: 'put', key: 'p/c', value: enc.encode('c') },
      { type: 'delete', key: 'p/a' },
    ]);
    expect((await kv.list({ prefix: 'p/' })).entries.map((e) => e.key)).toEqual(['p/b', 'p/c', 'p/\uffff', 'p/😀']);
  });
});

describe('memoryBlobStore', () => {
  it('commits only after beforeCommit, and leaves nothing when it or the body throws', async () => {
    const store = memoryBlobStore();
    await expect(
      store.put(bytes('a', 'b'), {
        beforeCommit: () => {
          throw new Error('digest mismatch');
        },
      }),
    ).rejects.toThrow('digest mismatch');
    async function* broken(): ByteSource {
      yield enc.encode('x');
      throw new Error('reset');
    }
    await expect(store.put(broken())).rejects.toThrow('reset');
    const aborted = new AbortController();
    aborted.abort();
    await expect(store.put(bytes('x'), { signal: aborted.signal })).rejects.toThrow();
    expect(await store.stats()).toEqual({ blobCount: 0, totalBytes: 0 });
  });

  it('serves whole blobs and inclusive ranges, refusing ranges past the end', async () => {
    const store = memoryBlobStore();
    const { id, size } = await store.put(bytes('0123', '456789'));
    expect(size).toBe(10);
    expect(await collect((await store.get(id))?.body ?? bytes())).toBe('0123456789');
    expect(await collect((await store.get(id, { range: { start: 3, end: 20 } }))?.body ?? bytes())).toBe('3456789');
    expect(await code(store.get(id, { range: { start: 10, end: 12 } }))).toBe('RANGE_NOT_SATISFIABLE');
    expect(await store.get('missing')).toBeNull();
    const empty = await store.put(bytes());
    expect(await store.head(empty.id)).toEqual({ size: 0 });
    const listed = await store.list({ limit: 1 });
    expect(listed.entries).toHaveLength(1);
    expect((await store.list({ cursor: listed.cursor ?? '' })).entries).toHaveLength(1);
    expect(await store.delete(id)).toBe(true);
    expect(await store.delete(id)).toBe(false);
  });
});
