import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type BlobStore, type ByteSource, noopLogger } from '@depot/core';
import { describeWithMoto, type MotoServer, startMoto } from '@depot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depotPlugin, s3BlobStore } from '../src/s3-blob-store.js';

const MIB = 1024 * 1024;

/** `count` chunks of 1 MiB, each filled with its index; optionally throws after `failAfter` chunks. */
async function* mebibytes(count: number, failAfter?: { at: number; error: Error }): ByteSource {
  for (let i = 0; i < count; i++) {
    if (failAfter !== undefined && i === failAfter.at) throw failAfter.error;
    yield new Uint8Array(MIB).fill(i & 0xff);
  }
}

describe('s3 blob store options', () => {
  const create = (options: Record<string, unknown>) => depotPlugin.create(options, { logger: noopLogger });

  it('is the "s3" blob-store plugin', () => {
    expect(depotPlugin).toMatchObject({ kind: 'blob-store', storeType: 's3', apiVersion: 1 });
  });

  it.each([
    [{}, 'bucket'],
    [{ bucket: 'b', buckett: 'x' }, 'buckett'],
    [{ bucket: 'b', access_key_id: 'a' }, 'secret_access_key'],
    [{ bucket: 'b', secret_access_key: 's' }, 'access_key_id'],
    [{ bucket: 'b', part_size_mib: 4 }, 'part_size_mib'],
    [{ bucket: 'b', upload_concurrency: 0 }, 'upload_concurrency'],
    [{ bucket: 'b', max_retries: 21 }, 'max_retries'],
    [{ bucket: 'b', retry_mode: 'legacy' }, 'retry_mode'],
    [{ bucket: 'b', force_path_style: 'yes' }, 'force_path_style'],
    [{ bucket: 'b', endpoint: 'localhost:9000' }, 'endpoint'],
    [{ bucket: 'b', connect_timeout_secs: -1 }, 'connect_timeout_secs'],
    [{ bucket: 'b', prefix: '/abs' }, 'prefix'],
  ])('refuses %j naming %s', async (options, key) => {
    const err = await create(options).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DepotError', code: 'BAD_REQUEST', details: { option: key } });
  });
});

/** A stand-in S3 that answers every request with `status` and an S3 error body, counting requests. */
async function failingS3(
  status: number,
  code: string,
): Promise<{ endpoint: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits, server };
}

describe('s3 blob store errors at the boundary', () => {
  const base = { bucket: 'b', access_key_id: 'a', secret_access_key: 's', force_path_style: true, max_retries: 1 };

  it.each([
    [503, 'SlowDown'],
    [500, 'InternalError'],
  ])('%i %s is retried, then STORAGE_UNAVAILABLE with the SDK error as cause', async (status, code) => {
    const fake = await failingS3(status, code);
    try {
      const store = await s3BlobStore({ ...base, endpoint: fake.endpoint, retry_mode: 'standard' });
      const err = await store.head('0'.repeat(32)).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'DepotError', code: 'STORAGE_UNAVAILABLE', details: { httpStatus: status } });
      expect((err as Error).cause).toBeDefined();
      expect(fake.hits()).toBe(2);
      const put = await store.put(mebibytes(1)).catch((e: unknown) => e);
      expect(put).toMatchObject({ name: 'DepotError', code: 'STORAGE_UNAVAILABLE' });
      expect(await store.healthCheck()).toMatchObject({ ok: false });
      await store.close?.();
    } finally {
      fake.server.close();
    }
  });

  it('403 AccessDenied is STORAGE_ERROR, not retried', async () => {
    const fake = await failingS3(403, 'AccessDenied');
    try {
      const store = await s3BlobStore({ ...base, endpoint: fake.endpoint });
      await expect(store.list()).rejects.toMatchObject({ name: 'DepotError', code: 'STORAGE_ERROR' });
      expect(fake.hits()).toBe(1);
      await store.close?.();
    } finally {
      fake.server.close();
    }
  });

  it('a connection dropped while a body is read fails the read with STORAGE_UNAVAILABLE', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '1000', 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(10));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const store = await s3BlobStore({ ...base, endpoint, max_retries: 0 });
      const got = await store.get('0'.repeat(32));
      expect(got?.size).toBe(1000);
      const read = (async () => {
        for await (const _ of got?.body ?? []);
      })();
      await expect(read).rejects.toMatchObject({ name: 'DepotError', code: 'STORAGE_UNAVAILABLE' });
      await store.close?.();
    } finally {
      server.close();
    }
  });

  it('a refused connection is STORAGE_UNAVAILABLE', async () => {
    const fake = await failingS3(500, 'x');
    const { endpoint } = fake;
    await new Promise((r) => fake.server.close(r));
    const store = await s3BlobStore({ ...base, endpoint, max_retries: 0 });
    await expect(store.get('0'.repeat(32))).rejects.toMatchObject({ name: 'DepotError', code: 'STORAGE_UNAVAILABLE' });
    await store.close?.();
  });
});

describeWithMoto('s3 blob store on moto: layout, multipart and aborts', () => {
  let moto: MotoServer;
  let sdk: S3Client;
  beforeAll(async () => {
    moto = await startMoto();
    sdk = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: moto.credentials.access_key_id, secretAccessKey: moto.credentials.secret_access_key },
    });
  });
  afterAll(async () => {
    sdk?.destroy();
    await moto?.stop();
  });

  async function fresh(extra: Record<string, unknown> = {}): Promise<{ store: BlobStore; bucket: string }> {
    const bucket = `depot-${randomBytes(6).toString('hex')}`;
    const store = await s3BlobStore({
      endpoint: moto.endpoint,
      ...moto.credentials,
      bucket,
      force_path_style: true,
      create_bucket: true,
      part_size_mib: 5,
      ...extra,
    });
    return { store, bucket };
  }
  const keys = async (bucket: string) =>
    ((await sdk.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
  const pendingUploads = async (bucket: string) =>
    (await sdk.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];

  it('stores {prefix}blobs/{id[0:2]}/{id[2:4]}/{id}', async () => {
    const { store, bucket } = await fresh({ prefix: 'tenant-a' });
    const { id } = await store.put(mebibytes(1));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await keys(bucket)).toEqual([`tenant-a/blobs/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`]);
    await store.close?.();
  });

  it('an unknown-length put past one part is a multipart upload that round-trips', async () => {
    const { store, bucket } = await fresh();
    const { id, size } = await store.put(mebibytes(12));
    expect(size).toBe(12 * MIB);
    expect(await pendingUploads(bucket)).toEqual([]);
    const got = await store.get(id, { range: { start: 11 * MIB - 1, end: 11 * MIB } });
    const bytes: number[] = [];
    for await (const part of got?.body ?? []) bytes.push(...part);
    expect(bytes).toEqual([10, 11]);
    await store.close?.();
  });

  it('a multipart put whose source fails, or whose beforeCommit throws, leaves no object and no upload', async () => {
    const { store, bucket } = await fresh({ upload_concurrency: 2 });
    const broken = new Error('client went away');
    await expect(store.put(mebibytes(20, { at: 16, error: broken }))).rejects.toBe(broken);
    const mismatch = new Error('digest mismatch');
    await expect(
      store.put(mebibytes(11), {
        beforeCommit: () => {
          throw mismatch;
        },
      }),
    ).rejects.toBe(mismatch);
    expect(await pendingUploads(bucket)).toEqual([]);
    expect(await keys(bucket)).toEqual([]);
    await store.close?.();
  });

  it('an abort signal during a multipart put rejects it and aborts the upload', async () => {
    const { store, bucket } = await fresh();
    const controller = new AbortController();
    async function* aborting(): ByteSource {
      for (let i = 0; i < 30; i++) {
        if (i === 14) controller.abort(new Error('client disconnected'));
        yield new Uint8Array(MIB).fill(i);
      }
    }
    await expect(store.put(aborting(), { signal: controller.signal })).rejects.toBeDefined();
    expect(await pendingUploads(bucket)).toEqual([]);
    expect(await keys(bucket)).toEqual([]);
    await store.close?.();
  });

  it('a known-length single PUT holds its last chunk until beforeCommit: a throw leaves no object', async () => {
    const { store, bucket } = await fresh();
    const mismatch = new Error('digest mismatch');
    let listedDuring: unknown[] = [''];
    await expect(
      store.put(mebibytes(12), {
        sizeHint: 12 * MIB,
        beforeCommit: async () => {
          // Time for every byte already sent to arrive: without the held-back chunk S3 would
          // have created the object by now.
          await new Promise((r) => setTimeout(r, 1000));
          listedDuring = await keys(bucket);
          throw mismatch;
        },
      }),
    ).rejects.toBe(mismatch);
    expect(listedDuring).toEqual([]);
    expect(await keys(bucket)).toEqual([]);
    const ok = await store.put(mebibytes(12), { sizeHint: 12 * MIB });
    expect(await store.head(ok.id)).toEqual({ size: 12 * MIB });
    await store.close?.();
  });

  it('a body longer or shorter than its sizeHint is BAD_REQUEST, an abort rejects with its reason; nothing is stored', async () => {
    const { store, bucket } = await fresh();
    await expect(store.put(mebibytes(12), { sizeHint: 11 * MIB })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(store.put(mebibytes(10), { sizeHint: 11 * MIB })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // And a client that disconnects midway (the server aborts the put's signal).
    const controller = new AbortController();
    const gone = new Error('client disconnected');
    async function* disconnecting(): ByteSource {
      for (let i = 0; i < 12; i++) {
        if (i === 6) controller.abort(gone);
        yield new Uint8Array(MIB).fill(i);
      }
    }
    await expect(store.put(disconnecting(), { sizeHint: 12 * MIB, signal: controller.signal })).rejects.toBe(gone);
    expect(await keys(bucket)).toEqual([]);
    await store.close?.();
  });

  it('a missing bucket (create_bucket off) fails health and puts with a DepotError', async () => {
    const store = await s3BlobStore({
      endpoint: moto.endpoint,
      ...moto.credentials,
      bucket: 'depot-no-such-bucket',
      force_path_style: true,
    });
    expect(await store.healthCheck()).toMatchObject({ ok: false });
    await expect(store.put(mebibytes(1))).rejects.toMatchObject({ name: 'DepotError', code: 'STORAGE_ERROR' });
    await store.close?.();
  });
});
