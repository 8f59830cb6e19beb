import { randomBytes } from 'node:crypto';
import { describeBlobStore, describeWithMoto, type MotoServer, startMoto } from '@depot/testkit';
import { afterAll, beforeAll } from 'vitest';
import { s3BlobStore } from '../src/s3-blob-store.js';

// The BlobStore conformance suite against a real moto server: one bucket per case.
describeWithMoto('s3 blob store on moto', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const factory = (extra: Record<string, unknown>) => async () => {
    const store = await s3BlobStore({
      endpoint: moto.endpoint,
      ...moto.credentials,
      bucket: `depot-${randomBytes(6).toString('hex')}`,
      force_path_style: true,
      create_bucket: true,
      ...extra,
    });
    return { store, cleanup: async () => undefined };
  };

  describeBlobStore('s3 (moto, 5 MiB parts)', factory({ part_size_mib: 5, prefix: 'depot/' }));
  describeBlobStore('s3 (moto, no prefix, default parts)', factory({}), { listBlobs: 12 });
});
