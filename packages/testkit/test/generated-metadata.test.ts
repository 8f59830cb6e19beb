import { memoryKvStore } from '@depot/core';
import { describeGeneratedMetadata } from '../src/generated-metadata-suite.js';

describeGeneratedMetadata('the memory KV', async () => ({ store: memoryKvStore() }));
