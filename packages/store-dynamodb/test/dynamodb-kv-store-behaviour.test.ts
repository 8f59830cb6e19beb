import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { noopLogger } from '@depot/core';
import { describeWithMoto, type MotoServer, startMoto } from '@depot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depotPlugin, dynamoKvStore } from '../src/dynamodb-kv-store.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('dynamodb KV store options', () => {
  const open = (options: Record<string, unknown>) => depotPlugin.open(options, { logger: noopLogger });

  it('is the "dynamodb" kv-store plugin', () => {
    expect(depotPlugin).toMatchObject({ kind: 'kv-store', storeType: 'dynamodb', apiVersion: 1 });
  });

  it.each([
    [{}, 'table'],
    [{ table: 'depot', tabel: 'x' }, 'tabel'],
    [{ table: 'depot', table_prefix: 'depot' }, 'table_prefix'],
    [{ table: 'a b' }, 'table'],
    [{ table: 'depot', create_table: 'true' }, 'create_table'],
    [{ table: 'depot', consistent_reads: 1 }, 'consistent_reads'],
    [{ table: 'depot', max_retries: -1 }, 'max_retries'],
    [{ table: 'depot', read_timeout_secs: '10' }, 'read_timeout_secs'],
    [{ table: 'depot', access_key_id: 'a' }, 'secret_access_key'],
  ])('refuses %j naming %s', async (options, key) => {
    const err = await open(options).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DepotError', code: 'BAD_REQUEST', details: { option: key } });
  });

  it('throttling is retried with backoff, then STORAGE_UNAVAILABLE; nothing escapes as an SDK error', async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        const target = String(req.headers['x-amz-target'] ?? '');
        res.writeHead(target.endsWith('DescribeTable') ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          target.endsWith('DescribeTable')
            ? JSON.stringify({ Table: { TableName: 't-t', TableStatus: 'ACTIVE' } })
            : JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const store = await dynamoKvStore({
        table: 't-t',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        access_key_id: 'a',
        secret_access_key: 's',
        max_retries: 2,
      });
      hits = 0;
      const err = await store.get('k').catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'DepotError', code: 'STORAGE_UNAVAILABLE' });
      expect((err as Error).cause).toBeDefined();
      expect(hits).toBe(3);
      await expect(store.putIfVersion('k', bytes('v'), null)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await expect(store.batch([{ type: 'put', key: 'k', value: bytes('v') }])).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
      });
      await store.close();
    } finally {
      server.close();
    }
  });
});

describeWithMoto('dynamodb KV store on moto: table layout and limits', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  const open = (extra: Record<string, unknown>) =>
    dynamoKvStore({ endpoint: moto.endpoint, ...moto.credentials, create_table: true, ...extra });

  it('without create_table a missing table is refused at open with a DepotError', async () => {
    const err = await dynamoKvStore({ endpoint: moto.endpoint, ...moto.credentials, table: 'depot-missing' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'DepotError', code: 'STORAGE_ERROR' });
  });

  it('stores one item per key {pk: partition, sk: key, v, ver}; partitions of one table are separate stores', async () => {
    const prefix = `depot-${randomBytes(4).toString('hex')}`;
    const a = await open({ table_prefix: prefix });
    const b = await open({ table_prefix: prefix, partition: 'other' });
    const version = await a.put('repos/x', bytes('one'));
    await b.put('repos/y', bytes('two'));
    expect((await a.list()).entries.map((e) => e.key)).toEqual(['repos/x']);
    expect((await b.list()).entries.map((e) => e.key)).toEqual(['repos/y']);
    const sdk = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const items = await sdk.send(
      new QueryCommand({
        TableName: `${prefix}_kv`,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'depot' } },
      }),
    );
    expect(items.Items).toEqual([
      { pk: { S: 'depot' }, sk: { S: 'repos/x' }, v: { B: bytes('one') }, ver: { S: version } },
    ]);
    sdk.destroy();
    await a.close();
    await b.close();
  });

  it('a batch of 250 keys goes in chunks of 100 and applies every op; repeated keys keep the last op', async () => {
    const store = await open({ table: `depot-${randomBytes(4).toString('hex')}` });
    const ops = Array.from({ length: 250 }, (_, i) => ({
      type: 'put' as const,
      key: `k/${String(i).padStart(3, '0')}`,
      value: bytes(`v${i}`),
    }));
    await store.batch([...ops, { type: 'delete', key: 'k/007' }, { type: 'put', key: 'k/008', value: bytes('last') }]);
    const page = await store.list({ prefix: 'k/' });
    expect(page.entries).toHaveLength(249);
    expect(page.entries.find((e) => e.key === 'k/008')?.value).toEqual(bytes('last'));
    await store.close();
  });

  it('values too large for one item are PAYLOAD_TOO_LARGE, empty keys BAD_REQUEST; nothing is written', async () => {
    const store = await open({ table: `depot-${randomBytes(4).toString('hex')}` });
    const big = new Uint8Array(400 * 1024);
    await expect(store.put('big', big)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(store.batch([{ type: 'put', key: 'big', value: big }])).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    await expect(store.put('', bytes('x'))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await store.list()).entries).toEqual([]);
    await store.close();
  });
});
