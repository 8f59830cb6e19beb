import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobStore } from '@depot/testkit';
import { describe } from 'vitest';
import { fsBlobStore } from '../src/fs-blob-store.js';

const tempStore = (options: { sync?: boolean; io_size?: number }) => async () => {
  const dir = await mkdtemp(join(tmpdir(), 'depot-fs-'));
  const store = await fsBlobStore({ root: join(dir, 'blobs'), ...options });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

describeBlobStore('file (sync, 1 MiB io)', tempStore({}), { largeBytes: 1024 * 1024 * 1024 });
describeBlobStore('file (no sync, 4 KiB io)', tempStore({ sync: false, io_size: 4 }));

// O_DIRECT where this filesystem supports it (ext4/xfs do; tmpfs does not): the whole suite again.
const directProbe = await mkdtemp(join(tmpdir(), 'depot-fs-direct-'));
const direct = await fsBlobStore({ root: directProbe, direct_io: true }).then(
  async (store) => {
    await store.close?.();
    return true;
  },
  () => false,
);
await rm(directProbe, { recursive: true, force: true });
describe.runIf(direct)('with direct_io', () => {
  describeBlobStore('file (direct_io, 64 KiB io)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'depot-fs-'));
    const store = await fsBlobStore({ root: join(dir, 'blobs'), direct_io: true, io_size: 64 });
    return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
  });
});
