import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@depot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { depotPlugin, levelKvStore } from '../src/level-kv-store.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));
const codeOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: unknown }).code,
  );

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-level-b-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('level KV store options', () => {
  const open = (options: Record<string, unknown>) => depotPlugin.open(options, { logger: noopLogger });

  it('is the "level" kv-store plugin', () => {
    expect(depotPlugin).toMatchObject({ kind: 'kv-store', storeType: 'level', apiVersion: 1 });
  });

  it('refuses an empty or non-string path', async () => {
    const err = await open({ path: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'path' } });
    const err2 = await open({ path: 42 }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'path' } });
  });

  it('requires path when opened directly (no config default)', async () => {
    const err = await levelKvStore({} as { path: string }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'path' } });
  });

  it.each([0, 3, 6, 512, -8, 1.5, '8', null])('refuses scaling_factor %j, naming the key and value', async (value) => {
    const err = await open({ path: dir, scaling_factor: value }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'scaling_factor' } });
    expect((err as Error).message).toContain('scaling_factor');
    expect((err as Error).message).toContain(JSON.stringify(value));
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([-1, 'big', 1.5])('refuses cache_size %j', async (value) => {
    await expect(open({ path: dir, cache_size: value })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { option: 'cache_size' },
    });
  });

  it('refuses unknown keys, naming them', async () => {
    const err = await open({ path: dir, scalingFactor: 8 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'scalingFactor' } });
    expect((err as Error).message).toContain('scalingFactor');
  });

  it.each([1, 2, 4, 256])('opens scaling_factor %i with that many shard databases', async (n) => {
    const store = await open({ path: dir, scaling_factor: n, cache_size: 1024 * 1024 });
    await store.put('k', bytes('v'));
    expect(text(await store.get('k'))).toBe('v');
    await store.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('shard-'))).toHaveLength(n);
  });

  it('defaults to 8 shards named shard-00 … shard-07 and spreads keys across them', async () => {
    const store = await levelKvStore({ path: dir });
    await store.batch(
      Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: `k/${i}`, value: bytes('v') })),
    );
    await store.close();
    const shards = (await readdir(dir)).filter((f) => f.startsWith('shard-')).sort();
    expect(shards).toEqual([
      'shard-00',
      'shard-01',
      'shard-02',
      'shard-03',
      'shard-04',
      'shard-05',
      'shard-06',
      'shard-07',
    ]);
  });
});

describe('level KV store lifecycle', () => {
  it('persists across close and reopen, versions included', async () => {
    const first = await levelKvStore({ path: dir });
    const version = await first.put('repo/a', bytes('kept'));
    await first.batch([{ type: 'put', key: 'repo/b', value: bytes('batched') }]);
    await first.close();
    const second = await levelKvStore({ path: dir });
    expect(await second.getVersioned('repo/a')).toEqual({ value: bytes('kept'), version });
    expect(text(await second.get('repo/b'))).toBe('batched');
    await second.putIfVersion('repo/a', bytes('cas after reopen'), version);
    expect((await second.list({ prefix: 'repo/' })).entries.map((e) => e.key)).toEqual(['repo/a', 'repo/b']);
    await second.close();
  });

  it('refuses to reopen with a different scaling_factor', async () => {
    await (await levelKvStore({ path: dir, scaling_factor: 4 })).close();
    await expect(levelKvStore({ path: dir, scaling_factor: 8 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { option: 'scaling_factor' },
    });
  });

  it('operations after close are STORAGE_UNAVAILABLE; close waits for in-flight writes', async () => {
    const store = await levelKvStore({ path: dir });
    const writes = Array.from({ length: 200 }, (_, i) => store.put(`w/${i}`, bytes(String(i))));
    await store.close();
    expect((await Promise.allSettled(writes)).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await codeOf(store.get('w/1'))).toBe('STORAGE_UNAVAILABLE');
    expect(await codeOf(store.put('w/1', bytes('x')))).toBe('STORAGE_UNAVAILABLE');
    expect(await codeOf(store.list())).toBe('STORAGE_UNAVAILABLE');
    const reopened = await levelKvStore({ path: dir });
    expect((await reopened.list({ prefix: 'w/', limit: 1000 })).entries).toHaveLength(200);
    await reopened.close();
  });

  it('a second opener in the same process gets STORAGE_UNAVAILABLE', async () => {
    const store = await levelKvStore({ path: dir });
    await expect(levelKvStore({ path: dir })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await store.put('still', bytes('works'));
    expect(text(await store.get('still'))).toBe('works');
    await store.close();
  });

  it('a second process holding a shard makes open fail with STORAGE_UNAVAILABLE, cleanly', async () => {
    await (await levelKvStore({ path: dir })).close();
    const classicLevel = createRequire(import.meta.url).resolve('classic-level');
    const holder: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        `const { ClassicLevel } = require(${JSON.stringify(classicLevel)}); const db = new ClassicLevel(${JSON.stringify(join(dir, 'shard-05'))}); db.open().then(() => console.log('ready')); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const err = await levelKvStore({ path: dir }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', details: { levelCode: 'LEVEL_LOCKED' } });
      expect((err as Error).cause).toBeDefined();
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((r) => holder.once('exit', r));
    // The failed open released the shards it had opened: a normal open now works.
    const store = await levelKvStore({ path: dir });
    await store.close();
  });

  it('2,000 concurrent puts on 1 synced shard (group-committed) all land with distinct versions', async () => {
    const store = await levelKvStore({ path: dir, scaling_factor: 1 });
    const versions = await Promise.all(Array.from({ length: 2000 }, (_, i) => store.put(`g/${i}`, bytes(String(i)))));
    expect(new Set(versions).size).toBe(2000);
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix: 'g/', limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      count += page.entries.length;
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(count).toBe(2000);
    await store.close();
  });

  it('writes submitted in one tick apply in arrival order within one group commit', async () => {
    const store = await levelKvStore({ path: dir, scaling_factor: 1 });
    const v0 = await store.put('k', bytes('zero'));
    const [v1, absent, deleted, v2, stale, deletedAgain] = await Promise.allSettled([
      store.putIfVersion('k', bytes('one'), v0),
      store.putIfVersion('k', bytes('nope'), null),
      store.delete('k'),
      store.putIfVersion('k', bytes('two'), null),
      store.putIfVersion('k', bytes('nope'), v0),
      store.delete('missing'),
    ]);
    expect(v1).toMatchObject({ status: 'fulfilled' });
    expect(absent).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect(deleted).toEqual({ status: 'fulfilled', value: true });
    expect(v2).toMatchObject({ status: 'fulfilled' });
    expect(stale).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect(deletedAgain).toEqual({ status: 'fulfilled', value: false });
    const final = await store.getVersioned('k');
    expect(text(final?.value ?? null)).toBe('two');
    expect(final?.version).toBe(v2.status === 'fulfilled' ? v2.value : '');
    await store.close();
  });

  it('a list limit that is not a positive integer is BAD_REQUEST', async () => {
    const store = await levelKvStore({ path: dir });
    for (const limit of [0, -1, 1.5]) expect(await codeOf(store.list({ limit }))).toBe('BAD_REQUEST');
    await store.close();
  });

  it('a corrupt shard refuses to open with STORAGE_ERROR (never silently repaired)', async () => {
    const store = await levelKvStore({ path: dir, scaling_factor: 1 });
    await store.put('k', bytes('v'));
    await store.close();
    const shard = join(dir, 'shard-00');
    const manifest = (await readdir(shard)).find((f) => f.startsWith('MANIFEST-'));
    await writeFile(join(shard, manifest ?? 'MANIFEST-missing'), 'not a manifest');
    const err = await levelKvStore({ path: dir, scaling_factor: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STORAGE_ERROR', details: { levelCode: 'LEVEL_CORRUPTION' } });
    expect(await readFile(join(shard, manifest ?? 'MANIFEST-missing'), 'utf8')).toBe('not a manifest');
  });
});
