import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeGeneratedMetadata } from '@depot/testkit';
import { levelKvStore } from '../src/level-kv-store.js';

describeGeneratedMetadata('level', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'depot-genmeta-'));
  const store = await levelKvStore({ path: join(dir, 'kv') });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
