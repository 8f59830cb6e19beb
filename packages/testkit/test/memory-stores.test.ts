import { describeBlobStore } from '../src/blob-suite.js';
import { describeKvStore } from '../src/kv-suite.js';
import { memoryBlobStore } from '../src/memory-blob-store.js';
import { memoryKvStore } from '../src/memory-kv-store.js';

const noCleanup = async (): Promise<void> => {};

describeKvStore('memory', async () => ({ store: memoryKvStore(), cleanup: noCleanup }));

// The memory store keeps blobs in memory by design, so the resident-memory bound does not apply.
describeBlobStore('memory', async () => ({ store: memoryBlobStore(), cleanup: noCleanup }), {
  maxRssGrowthBytes: false,
});
