import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKvStore } from '@depot/testkit';
import { levelKvStore } from '../src/level-kv-store.js';

const tempStore = (options: { scaling_factor?: number; sync?: boolean }) => async () => {
  const dir = await mkdtemp(join(tmpdir(), 'depot-level-'));
  const store = await levelKvStore({ path: join(dir, 'kv'), ...options });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

describeKvStore('level (8 shards, default)', tempStore({}));
describeKvStore('level (1 shard)', tempStore({ scaling_factor: 1 }));
describeKvStore('level (16 shards, no sync)', tempStore({ scaling_factor: 16, sync: false }));
