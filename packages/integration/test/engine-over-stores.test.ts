import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BlobStore,
  blake3Hex,
  createRepositoryEngine,
  depotRecords,
  type KvStore,
  type RepositoryEngine,
} from '@depot/core';
import { fsBlobStore } from '@depot/store-fs';
import { levelKvStore } from '@depot/store-level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobFiles, type LevelFsEngine, levelFsEngine, readBody } from './support.js';

describe('repository engine over level + file stores', () => {
  let dir: string;
  let kv: KvStore;
  let blobs: BlobStore;
  let engine: RepositoryEngine;
  let stores: LevelFsEngine;
  beforeEach(async () => {
    stores = await levelFsEngine('depot-int-');
    ({ dir, kv, blobs, engine } = stores);
  });
  afterEach(async () => {
    // A test may reopen the stores (a restart): close whichever are open now.
    await kv.close();
    await blobs.close?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('32 concurrent ingests of identical bytes: one blob file on disk, 32 artifacts', async () => {
    const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 131) & 0xff);
    async function* body(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < data.length; at += 256 * 1024) yield data.slice(at, at + 256 * 1024);
    }
    const puts = await Promise.all(Array.from({ length: 32 }, (_, i) => engine.put('hosted', `same/${i}.bin`, body())));
    expect(new Set(puts.map((p) => p.blob_id)).size).toBe(1);
    const files = await blobFiles(join(dir, 'blobs'));
    expect(files).toHaveLength(1);
    expect(files[0]?.endsWith(puts[0]?.blob_id ?? '?')).toBe(true);
    expect(await readdir(join(dir, 'blobs', '.tmp'))).toEqual([]);
    expect(await blobs.stats()).toEqual({ blobCount: 1, totalBytes: data.length });
    const page = await engine.list('hosted', { prefix: 'same/' });
    expect(page.artifacts).toHaveLength(32);
    const expected = blake3Hex(data);
    for (const artifact of page.artifacts) {
      expect(artifact.hashes.blake3).toBe(expected);
      const read = await engine.get('hosted', artifact.path);
      expect(blake3Hex(await readBody(read?.body ?? null))).toBe(expected);
    }
  });

  it('artifacts survive closing and reopening both stores', async () => {
    const record = await engine.put(
      'hosted',
      'keep/me.txt',
      (async function* () {
        yield new TextEncoder().encode('kept across restarts');
      })(),
    );
    await kv.close();
    await blobs.close?.();
    kv = await levelKvStore({ path: join(dir, 'kv') });
    blobs = await fsBlobStore({ root: join(dir, 'blobs') });
    engine = createRepositoryEngine({
      records: depotRecords(kv),
      blobStore: async () => blobs,
      fetch: () => Promise.reject(new Error('no upstream')),
      cachePolicy: () => undefined,
    });
    const read = await engine.get('hosted', 'keep/me.txt');
    expect(read?.record.blob_id).toBe(record.blob_id);
    expect(new TextDecoder().decode(await readBody(read?.body ?? null))).toBe('kept across restarts');
  });
});
