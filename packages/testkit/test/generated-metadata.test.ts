import { describeGeneratedMetadata } from '../src/generated-metadata-suite.js';
import { memoryKvStore } from '../src/memory-kv-store.js';

describeGeneratedMetadata('the memory KV', async () => ({ store: memoryKvStore() }));
