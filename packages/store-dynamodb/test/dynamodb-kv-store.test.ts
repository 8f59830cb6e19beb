import { randomBytes } from 'node:crypto';
import { describeKvStore, describeWithMoto, type MotoServer, startMoto } from '@depot/testkit';
import { afterAll, beforeAll } from 'vitest';
import { dynamoKvStore } from '../src/dynamodb-kv-store.js';

// The KvStore conformance suite against a real moto server: a fresh table per case.
describeWithMoto('dynamodb KV store on moto', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const factory = (extra: Record<string, unknown>) => async () => {
    const store = await dynamoKvStore({
      endpoint: moto.endpoint,
      ...moto.credentials,
      table: `depot-${randomBytes(6).toString('hex')}`,
      create_table: true,
      ...extra,
    });
    return { store, cleanup: async () => undefined };
  };

  // moto answers a Query by sorting the whole partition, so the paging cases use fewer keys than the
  // embedded stores (CI time); the paging logic does not depend on the count.
  describeKvStore('dynamodb (moto)', factory({}), { pagingKeys: 1500 });
  describeKvStore(
    'dynamodb (moto, own partition, eventually consistent get/list)',
    factory({ partition: 'tenant-b', consistent_reads: false }),
    {
      pagingKeys: 1001,
      casWriters: 16,
    },
  );
});
