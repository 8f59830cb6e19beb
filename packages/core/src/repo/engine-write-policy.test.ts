import { beforeEach, describe, expect, it } from 'vitest';
import { code, repo, source, text } from '../../test/engine-support.js';
import type { Principal } from '../auth/principal.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { RepositoryEngine } from './engine.js';

const USER: Principal = { username: 'u', anonymous: false, admin: false, can: () => true };

describe('repository engine: write_policy', () => {
  let records: DepotRecords;
  let engine: RepositoryEngine;
  let clock: number;
  beforeEach(async () => {
    records = depotRecords(memoryKvStore());
    const blobs = memoryBlobStore();
    clock = Date.parse('2026-03-01T00:00:00Z');
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: () => Promise.reject(new Error('no upstream in hosted tests')),
      cachePolicy: () => undefined,
      now: () => clock,
    });
    await records.repositories.put('open', repo('open'));
    await records.repositories.put('once', repo('once', { write_policy: 'allow_once' }));
    await records.repositories.put('frozen', repo('frozen', { write_policy: 'read_only' }));
    await records.repositories.put('via', repo('via', { repo_type: 'proxy', members: ['frozen'] }));
  });

  it('allow (the default) replaces what is there', async () => {
    await engine.put('open', 'a.txt', source('one'));
    await engine.put('open', 'a.txt', source('two'), { overwrite: true });
    expect(await text(await engine.get('open', 'a.txt'))).toBe('two');
  });

  it('allow_once: other bytes at a taken path are CONFLICT even when the format asks to overwrite', async () => {
    const first = await engine.put('once', 'a.txt', source('one'));
    expect(await code(engine.put('once', 'a.txt', source('two')))).toBe('CONFLICT');
    expect(await code(engine.put('once', 'a.txt', source('two'), { overwrite: true }))).toBe('CONFLICT');
    expect(await text(await engine.get('once', 'a.txt'))).toBe('one');
    clock += 60_000;
    // The same bytes again (a retried publish) succeed and change nothing.
    const again = await engine.put('once', 'a.txt', source('one'));
    expect(again).toEqual(first);
    expect(await engine.stat('once', 'a.txt')).toEqual(first);
  });

  it('allow_once keeps a strict put-if-absent strict: the same bytes again are CONFLICT for a caller that may roll back', async () => {
    await engine.put('once', 'pkg.tgz', source('one'), { overwrite: false });
    expect(await code(engine.put('once', 'pkg.tgz', source('one'), { overwrite: false }))).toBe('CONFLICT');
  });

  it('allow_once: an alias (a tag) may not move to other content, but may be written again with the same', async () => {
    await engine.put('once', 'm/1', source('v1'), { alsoAt: [{ path: 't/latest' }] });
    await engine.put('once', 'm/1', source('v1'), { alsoAt: [{ path: 't/latest' }] });
    expect(await code(engine.put('once', 'm/2', source('v2'), { alsoAt: [{ path: 't/latest' }] }))).toBe('CONFLICT');
    expect(await text(await engine.get('once', 't/latest'))).toBe('v1');
  });

  it("allow_once leaves a format's bookkeeping (internal) paths writable", async () => {
    await engine.put('once', '_index', source('one'), { internal: true });
    await engine.put('once', '_index', source('two'), { internal: true });
    expect(await text(await engine.get('once', '_index'))).toBe('two');
  });

  it('read_only refuses writes (directly and through a proxy) and callers’ deletes with NOT_ALLOWED', async () => {
    await records.repositories.put('frozen', repo('frozen'));
    engine.invalidateRepository('frozen');
    await engine.put('frozen', 'kept.txt', source('kept'));
    await records.repositories.put('frozen', repo('frozen', { write_policy: 'read_only' }));
    engine.invalidateRepository('frozen');
    const user = engine.as(USER);
    expect(await code(user.put('frozen', 'b.txt', source('x')))).toBe('NOT_ALLOWED');
    expect(await code(user.put('via', 'b.txt', source('x')))).toBe('NOT_ALLOWED');
    expect(await code(user.resolveWriteTarget('via'))).toBe('NOT_ALLOWED');
    expect(await code(user.delete('frozen', 'kept.txt'))).toBe('NOT_ALLOWED');
    expect(await code(user.delete('via', 'kept.txt'))).toBe('NOT_ALLOWED');
    expect(await text(await user.get('via', 'kept.txt'))).toBe('kept');
    // The system's own deletes (a repository drain) still run.
    expect(await engine.delete('frozen', 'kept.txt')).toBe(true);
  });
});
