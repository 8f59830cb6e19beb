import { describe, expect, it } from 'vitest';
import type { Format } from '../format/format.js';
import { createFormatContext, repositoryRecordKeys } from '../format/format-context.js';
import { noopLogger } from '../logger.js';
import { createRepositoryEngine } from '../repo/create-engine.js';
import { memoryKvStore } from './memory-kv-store.js';
import { depotRecords, type RepositoryRecord } from './records.js';
import { scopedKv } from './scoped-kv.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const at = new Date(0).toISOString();
const repo = (name: string, extra: Partial<RepositoryRecord> = {}): RepositoryRecord => ({
  name,
  repo_type: 'hosted',
  format: 'raw',
  store: 'default',
  created_at: at,
  updated_at: at,
  ...extra,
});

describe('scopedKv', () => {
  it('confines reads, writes, lists and batches to its prefix', async () => {
    const kv = memoryKvStore();
    await kv.put('user/admin', enc.encode('secret hash'));
    await kv.put('fmt/npmx/a', enc.encode('neighbour'));
    const own = scopedKv(kv, 'fmt/npm/');
    await own.put('r/pkg', enc.encode('mine'));
    await own.batch([{ type: 'put', key: 'r/two', value: enc.encode('2') }]);
    // No key spelling reaches outside: every key is taken relative to `fmt/npm/`.
    for (const k of ['user/admin', '../../user/admin', '/user/admin', '../npmx/a']) expect(await own.get(k)).toBeNull();
    await own.put('../../user/admin', enc.encode('overwrite?'));
    await own.batch([{ type: 'delete', key: '../../user/admin' }]);
    expect(dec.decode((await kv.get('user/admin')) ?? new Uint8Array())).toBe('secret hash');
    expect(await kv.get('fmt/npm/r/pkg')).not.toBeNull();
    expect((await own.list()).entries.map((e) => e.key)).toEqual(['r/pkg', 'r/two']);
    expect((await own.list({ start: '' })).entries.map((e) => e.key)).toEqual(['r/pkg', 'r/two']);
    const first = await own.list({ prefix: 'r/', limit: 1 });
    const second = await own.list({
      prefix: 'r/',
      limit: 1,
      ...(first.cursor === null ? {} : { cursor: first.cursor }),
    });
    expect([...first.entries, ...second.entries].map((e) => e.key)).toEqual(['r/pkg', 'r/two']);
    await own.close();
    expect(await kv.get('user/admin')).not.toBeNull();
  });

  it('refuses a prefix without a trailing slash', () => {
    expect(() => scopedKv(memoryKvStore(), 'fmt/npm')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

describe('createFormatContext', () => {
  it('hands a format its own namespace and live repositories, no user records', async () => {
    const kv = memoryKvStore();
    const records = depotRecords(kv);
    await kv.put('user/admin', enc.encode('{"v":1,"d":{"password_hash":"$argon2id$"}}'));
    await records.repositories.put('live', repo('live'));
    await records.repositories.put('gone', repo('gone', { deleting: true }));
    const engine = createRepositoryEngine({
      records,
      blobStore: () => Promise.reject(new Error('unused')),
      fetch,
      cachePolicy: () => undefined,
    });
    const auth = { verifyPassword: async () => null, issueToken: () => Promise.reject(new Error('unused')) };
    const host = { engine, kv, logger: noopLogger, fetch, auth, settings: () => ({}) };
    const ctx = createFormatContext(host, { name: 'npm' });
    expect(Object.keys(ctx)).not.toContain('records');
    expect(await ctx.kv.get('user/admin')).toBeNull();
    expect((await ctx.kv.list()).entries).toEqual([]);
    await ctx.kv.put('live/p', enc.encode('x'));
    expect(await kv.get('fmt/npm/live/p')).not.toBeNull();
    expect((await ctx.repositories.get('live'))?.name).toBe('live');
    expect(await ctx.repositories.get('gone')).toBeNull();
    const listed: string[] = [];
    for await (const r of ctx.repositories.list()) listed.push(r.name);
    expect(listed).toEqual(['live']);
  });

  it('resolves declared per-repository prefixes inside the namespace only', () => {
    const format: Pick<Format, 'name' | 'repositoryRecordPrefixes'> = {
      name: 'npm',
      repositoryRecordPrefixes: (r) => [`${r}/`, `-pin/${r}/`, '', '/', 'no-slash'],
    };
    expect(repositoryRecordKeys(format, 'a')).toEqual(['fmt/npm/a/', 'fmt/npm/-pin/a/']);
  });
});
