import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStore, ByteSource } from '@depot/core';
import { noopLogger, positionalReadOf } from '@depot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { depotPlugin, fsBlobStore } from '../src/fs-blob-store.js';

async function* source(...parts: string[]): ByteSource {
  for (const p of parts) yield new TextEncoder().encode(p);
}

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-fs-b-'));
  root = join(dir, 'blobs');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file blob store options', () => {
  const create = (options: Record<string, unknown>) => depotPlugin.create(options, { logger: noopLogger });

  it('is the "file" blob-store plugin', () => {
    expect(depotPlugin).toMatchObject({ kind: 'blob-store', storeType: 'file', apiVersion: 1 });
  });

  it('requires root', async () => {
    await expect(create({})).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { option: 'root' } });
  });

  it('refuses unknown keys, naming them', async () => {
    const err = await create({ root, iosize: 4 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'iosize' } });
    expect((err as Error).message).toContain('iosize');
  });

  it.each([3, 65537, 0, 1.5, '1024'])('refuses io_size %j', async (value) => {
    await expect(create({ root, io_size: value })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { option: 'io_size' },
    });
  });

  it.each([
    ['sync', 'yes'],
    ['direct_io', 1],
  ])('refuses non-boolean %s', async (key, value) => {
    await expect(create({ root, [key]: value })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { option: key },
    });
  });

  it('accepts the bounds of io_size', async () => {
    for (const io_size of [4, 65536]) {
      const store = await create({ root, io_size });
      const { id } = await store.put(source('x'));
      expect(await store.head(id)).toEqual({ size: 1 });
    }
  });
});

describe('file blob store layout', () => {
  it('stores <root>/<id[0:4]>/<id[4:8]>/<id> with a 32-hex random id and exact bytes', async () => {
    const store = await fsBlobStore({ root });
    const { id, size } = await store.put(source('hello ', 'world'));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(size).toBe(11);
    expect(await readFile(join(root, id.slice(0, 4), id.slice(4, 8), id), 'utf8')).toBe('hello world');
    expect((await readdir(join(root, '.tmp'))).length).toBe(0);
  });

  it('get returns a Node ReadStream of the exact range', async () => {
    const store = await fsBlobStore({ root });
    const { id } = await store.put(source('0123456789'));
    const got = await store.get(id, { range: { start: 2, end: 5 } });
    expect(got?.body.constructor.name).toBe('ReadStream');
    const parts: Buffer[] = [];
    for await (const p of got?.body ?? []) parts.push(Buffer.from(p));
    expect(Buffer.concat(parts).toString()).toBe('2345');
  });

  it('get bodies also read by position (the range, not past it), and close releases the file unread', async () => {
    const store = await fsBlobStore({ root });
    const { id } = await store.put(source('0123456789'));
    const openFds = async () => (await readdir('/proc/self/fd')).length;
    const before = await openFds();
    const got = await store.get(id, { range: { start: 2, end: 5 } });
    const reader = positionalReadOf(got?.body);
    expect(reader).toMatchObject({ start: 2, end: 6 });
    const buffer = Buffer.alloc(8, 0x2e);
    expect(await reader?.read(buffer, 3, 3)).toBe(3);
    expect(buffer.toString()).toBe('345.....');
    expect(await openFds()).toBe(before + 1);
    await reader?.close();
    expect(await openFds()).toBe(before);

    const empty = await store.put(source(''));
    const whole = positionalReadOf((await store.get(empty.id))?.body);
    expect(whole).toMatchObject({ start: 0, end: 0 });
    await whole?.close();
    expect(await openFds()).toBe(before);
  });

  it('list skips .tmp, stray files and foreign directories', async () => {
    const store = await fsBlobStore({ root });
    const { id } = await store.put(source('x'));
    await mkdir(join(root, 'lost+found'));
    await writeFile(join(root, 'README'), 'not a blob');
    await mkdir(join(root, 'abcd', 'ef01'), { recursive: true });
    await writeFile(join(root, 'abcd', 'ef01', 'not-a-blob'), 'x');
    await writeFile(join(root, 'abcd', 'ef01', `${'0'.repeat(32)}`), 'misplaced: wrong fan-out');
    expect((await store.list()).entries.map((e) => e.id)).toEqual([id]);
    expect(await store.stats()).toEqual({ blobCount: 1, totalBytes: 1 });
  });

  it('a blob is visible only after beforeCommit, and the temp file is in .tmp meanwhile', async () => {
    const store = await fsBlobStore({ root });
    let seenInTmp = -1;
    let listedDuring = -1;
    await store.put(source('abc'), {
      beforeCommit: async () => {
        seenInTmp = (await readdir(join(root, '.tmp'))).length;
        listedDuring = (await store.list()).entries.length;
      },
    });
    expect(seenInTmp).toBe(1);
    expect(listedDuring).toBe(0);
    expect((await readdir(join(root, '.tmp'))).length).toBe(0);
  });
});

describe('file blob store crash leftovers', () => {
  it('removes temp files of an earlier process at open, keeping committed blobs', async () => {
    const first = await fsBlobStore({ root });
    const kept = await first.put(source('committed'));
    // What a SIGKILL mid-put leaves: a partial temp file written by another process.
    await writeFile(join(root, '.tmp', `deadbeef-${'a'.repeat(32)}`), 'partial');
    await writeFile(join(root, '.tmp', 'garbage'), 'partial');
    const second: BlobStore = await fsBlobStore({ root });
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await second.head(kept.id)).toEqual({ size: 9 });
    expect(await second.stats()).toEqual({ blobCount: 1, totalBytes: 9 });
  });

  it('does not remove in-flight temp files of another store instance in the same process', async () => {
    const first = await fsBlobStore({ root });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* slow(): ByteSource {
      yield new Uint8Array(10);
      await gate;
      yield new Uint8Array(10);
    }
    const put = first.put(slow());
    await new Promise((r) => setTimeout(r, 50));
    await fsBlobStore({ root });
    release();
    expect((await put).size).toBe(20);
  });
});

describe('file blob store direct_io', () => {
  it('either works (aligned O_DIRECT writes, exact sizes) or is refused with BAD_REQUEST naming direct_io', async () => {
    const outcome = await fsBlobStore({ root, direct_io: true, io_size: 5 }).then(
      (store) => ({ store }),
      (error: unknown) => ({ error }),
    );
    if ('error' in outcome) {
      expect(outcome.error).toMatchObject({ code: 'BAD_REQUEST', details: { option: 'direct_io' } });
      expect((outcome.error as Error).message).toContain('direct_io');
      return;
    }
    const { store } = outcome;
    for (const size of [0, 1, 4095, 4096, 4097, 5120, 3 * 5120 + 7, 1024 * 1024 + 1]) {
      const data = Buffer.alloc(size, 7);
      const { id, size: written } = await store.put(
        (async function* () {
          yield data;
        })(),
      );
      expect(written).toBe(size);
      expect((await stat(join(root, id.slice(0, 4), id.slice(4, 8), id))).size).toBe(size);
      const parts: Buffer[] = [];
      for await (const p of (await store.get(id))?.body ?? []) parts.push(Buffer.from(p));
      expect(Buffer.concat(parts).equals(data)).toBe(true);
    }
    await store.close?.();
  });
});
