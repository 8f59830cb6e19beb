import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeWithMoto, type MotoServer, startMoto } from '@depot/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiClient, api, type DepotProcess, startDepot } from './helpers/depot-process.js';

// A real depot on the cloud stores: metadata in DynamoDB, content in S3, both served by moto.
describeWithMoto('depot on dynamodb + s3 (moto)', () => {
  let moto: MotoServer;
  let depot: DepotProcess;
  let client: ApiClient;
  let proxy: Server;
  /** When set, the S3 proxy answers every request 503 SlowDown instead of forwarding it to moto. */
  let s3Failing = false;

  beforeAll(async () => {
    moto = await startMoto();
    const upstream = new URL(moto.endpoint);
    proxy = createServer((req, res) => {
      if (s3Failing) {
        req.resume();
        req.on('end', () => {
          res.writeHead(503, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>injected</Message></Error>');
        });
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const s3Endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const keys = `access_key_id = "${moto.credentials.access_key_id}"
secret_access_key = "${moto.credentials.secret_access_key}"`;
    const credentials = `endpoint = "${moto.endpoint}"\n${keys}`;
    const toml = `
[kv_store]
type = "dynamodb"
table_prefix = "depot-e2e"
create_table = true
${credentials}

[[initialization.stores]]
name = "cloud"
store_type = "s3"
bucket = "depot-e2e"
prefix = "depot"
force_path_style = true
create_bucket = true
max_retries = 1
endpoint = "${s3Endpoint}"
${keys}

[[initialization.repositories]]
name = "raw-cloud"
repo_type = "hosted"
format = "raw"
store = "cloud"
`;
    depot = await startDepot({ toml, noDefaultStore: true });
    client = api(depot);
  }, 120_000);
  afterAll(async () => {
    await depot?.stop();
    proxy?.close();
    await moto?.stop();
  });

  const put = (path: string, body: Uint8Array | string) =>
    fetch(`${depot.url}/repository/raw-cloud/${path}`, {
      method: 'PUT',
      body,
      headers: { authorization: client.authorization },
    });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${depot.url}/repository/raw-cloud/${path}`, {
      headers: { authorization: client.authorization, ...headers },
    });

  it('uploads, downloads (whole and ranged), lists and deletes raw artifacts, and keeps them across a restart', async () => {
    const big = randomBytes(12 * 1024 * 1024 + 17);
    expect((await put('docs/readme.txt', 'hello cloud')).status).toBe(201);
    const upBig = await put('bin/big.bin', big);
    expect(upBig.status, await upBig.clone().text()).toBe(201);

    expect(await (await get('docs/readme.txt')).text()).toBe('hello cloud');
    const whole = Buffer.from(await (await get('bin/big.bin')).arrayBuffer());
    expect(whole.equals(big)).toBe(true);
    const ranged = await get('bin/big.bin', { range: 'bytes=5000000-5000009' });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(big.subarray(5_000_000, 5_000_010))).toBe(true);

    const listed = await client.get<{ artifacts: { path: string }[] }>(
      '/api/v1/repositories/raw-cloud/artifacts?prefix=docs/',
    );
    expect(listed.status).toBe(200);
    expect(listed.body.artifacts.map((a) => a.path)).toEqual(['docs/readme.txt']);

    await depot.restart();
    expect(await (await get('docs/readme.txt')).text()).toBe('hello cloud');

    const del = await fetch(`${depot.url}/repository/raw-cloud/docs/readme.txt`, {
      method: 'DELETE',
      headers: { authorization: client.authorization },
    });
    expect(del.status).toBeLessThan(300);
    expect((await get('docs/readme.txt')).status).toBe(404);
    const after = await client.get<{ artifacts: { path: string }[] }>(
      '/api/v1/repositories/raw-cloud/artifacts?prefix=docs/',
    );
    expect(after.body.artifacts).toEqual([]);
    expect((await get('bin/big.bin')).status).toBe(200);

    const stores = await client.get<{ name: string; store_type: string }[]>('/api/v1/stores');
    expect(stores.body.map((st) => [st.name, st.store_type])).toEqual([['cloud', 's3']]);
  });

  it('the S3 secret key is masked in the stores API, and the mask keeps it on update', async () => {
    const shown = await client.get<Record<string, unknown>>('/api/v1/stores/cloud');
    expect(shown.status).toBe(200);
    expect(shown.body.access_key_id).toBe(moto.credentials.access_key_id);
    expect(shown.body.secret_access_key).toBe('********');
    expect(JSON.stringify(await client.get('/api/v1/stores'))).not.toContain(moto.credentials.secret_access_key);
    // Sending the secret back as shown (the mask) keeps the real one: the store still works.
    const updated = await client.put<Record<string, unknown>>('/api/v1/stores/cloud', {
      secret_access_key: shown.body.secret_access_key,
      prefix: 'depot',
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.secret_access_key).toBe('********');
    const check = await client.post<{ ok: boolean }>('/api/v1/stores/cloud/check');
    expect(check.body).toEqual({ ok: true });
  });

  it('a client that disconnects midway through a sized upload leaves nothing and the server keeps serving', async () => {
    const url = new URL(`${depot.url}/repository/raw-cloud/cut/half.bin`);
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: { authorization: client.authorization, 'content-length': String(12 * 1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(randomBytes(6 * 1024 * 1024), () => setTimeout(() => req.destroy(), 300));
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await get('cut/half.bin')).status).toBe(404);
    expect((await put('cut/whole.txt', 'still serving')).status).toBe(201);
    expect(await (await get('cut/whole.txt')).text()).toBe('still serving');
  });

  it('S3 answering 503 SlowDown: uploads and downloads answer 503 STORAGE_UNAVAILABLE, nothing is half-committed, the server keeps serving', async () => {
    expect((await put('keep/one.txt', 'kept')).status).toBe(201);
    s3Failing = true;
    try {
      const up = await put('fail/new.bin', randomBytes(64 * 1024));
      expect(up.status).toBe(503);
      expect(((await up.json()) as { error: { code: string } }).error.code).toBe('STORAGE_UNAVAILABLE');
      const down = await get('keep/one.txt');
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('STORAGE_UNAVAILABLE');
      // Metadata (DynamoDB) keeps serving while the blob store fails.
      expect((await client.get('/api/v1/repositories/raw-cloud')).status).toBe(200);
    } finally {
      s3Failing = false;
    }
    expect((await get('fail/new.bin')).status).toBe(404);
    const listed = await client.get<{ artifacts: { path: string }[] }>(
      '/api/v1/repositories/raw-cloud/artifacts?prefix=fail/',
    );
    expect(listed.body.artifacts).toEqual([]);
    expect(await (await get('keep/one.txt')).text()).toBe('kept');
    expect((await put('fail/new.bin', 'now it works')).status).toBe(201);
  });
});
