import { memoryBlobStore, memoryKvStore } from '@depot/core';
import { describeBlobStore } from '../src/blob-suite.js';
import { describeKvStore } from '../src/kv-suite.js';

const noCleanup = async (): Promise<void> => {};

describeKvStore('memory', async () => ({ store: memoryKvStore(), cleanup: noCleanup }));

// The memory store keeps blobs in memory by design, so the resident-memory bound does not apply.
describeBlobStore('memory', async () => ({ store: memoryBlobStore(), cleanup: noCleanup }), {
  maxRssGrowthBytes: false,
});
