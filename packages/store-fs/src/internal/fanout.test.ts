import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBlobId } from './blob-paths.js';
import { BLOBS_PER_DIR, BlobIdAllocator, DirSyncer } from './fanout.js';

describe('BlobIdAllocator', () => {
  it('hands out unique blob ids sharing a fan-out prefix for a run of blobs', () => {
    const ids = new BlobIdAllocator();
    const run = Array.from({ length: BLOBS_PER_DIR }, () => ids.next());
    expect(run.every(isBlobId)).toBe(true);
    expect(new Set(run).size).toBe(BLOBS_PER_DIR);
    expect(new Set(run.map((id) => id.slice(0, 8))).size).toBe(1);
    const next = ids.next();
    expect(isBlobId(next)).toBe(true);
    expect(next.slice(0, 8)).not.toBe(run[0]?.slice(0, 8));
  });
});

describe('DirSyncer', () => {
  it('shares fsyncs between concurrent callers and settles everyone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dirsync-'));
    try {
      const syncer = new DirSyncer();
      await Promise.all(Array.from({ length: 50 }, () => syncer.sync(dir)));
      await syncer.sync(dir);
      await expect(syncer.sync(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
      await Promise.all([syncer.sync(dir), syncer.sync(dir), syncer.sync(dir)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
