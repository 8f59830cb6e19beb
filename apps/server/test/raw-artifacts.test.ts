import { randomBytes } from 'node:crypto';
import { readdirSync, truncateSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { expect, it } from 'vitest';
import { describeEachBackend, useDepot } from './helpers/use-depot.js';

const INIT = `
[[initialization.repositories]]
name = "raw-hosted"
repo_type = "hosted"
format = "raw"
store = "default"
`;

async function tarNames(bytes: Uint8Array, gzip: boolean): Promise<Record<string, string>> {
  const ex = extract();
  const out: Record<string, string> = {};
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      out[header.name] = Buffer.concat(chunks).toString();
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on('finish', () => resolve());
    ex.on('error', (err: unknown) => reject(err));
  });
  const src = Readable.from([Buffer.from(bytes)]);
  (gzip ? src.pipe(createGunzip()) : src).pipe(ex);
  await done;
  return out;
}

/** The path of the file named `name` under `dir`. */
function findFile(dir: string, name: string): string {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) return join(entry.parentPath, entry.name);
  }
  throw new Error(`no file ${name} under ${dir}`);
}

async function waitFor(done: () => boolean, ms = 5000): Promise<void> {
  for (const until = Date.now() + ms; !done() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
}

describeEachBackend('raw artifacts through /repository/', (backend) => {
  const depot = useDepot({ toml: INIT, backend });
  const { client } = depot;

  const put = (path: string, body: string | Uint8Array) =>
    fetch(`${depot.url}/repository/${path}`, { method: 'PUT', body, headers: { authorization: client.authorization } });
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${depot.url}/repository/${path}`, {
      ...init,
      headers: { authorization: client.authorization, ...init.headers },
    });

  /** Starts a download with `authorization`, drops the connection after the first body chunk. */
  function abortAfterFirstChunk(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { authorization: client.authorization } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
      req.end();
    });
  }

  it('uploads, downloads, browses and searches', async () => {
    const up = await put('raw-hosted/docs/readme.txt', 'hello depot');
    expect(up.status, await up.clone().text()).toBe(201);
    expect(((await up.json()) as { path: string }).path).toBe('docs/readme.txt');
    await put('raw-hosted/docs/guide/one.txt', 'one');
    await put('raw-hosted/top.bin', new Uint8Array([1, 2, 3]));

    const down = await get('raw-hosted/docs/readme.txt');
    expect(down.status).toBe(200);
    expect(await down.text()).toBe('hello depot');
    expect(down.headers.get('x-request-id')).toBeTruthy();
    // `.` and `//` segments normalize to the same artifact.
    expect(await (await get('raw-hosted/./docs//readme.txt')).text()).toBe('hello depot');

    const root = await client.get<{ dirs: { name: string; artifact_count: number }[]; artifacts: { path: string }[] }>(
      '/api/v1/repositories/raw-hosted/artifacts',
    );
    expect(root.status, JSON.stringify(root.body)).toBe(200);
    expect(root.body.dirs.map((d) => d.name)).toContain('docs');
    expect(root.body.artifacts.map((a) => a.path)).toEqual(['top.bin']);

    const docs = await client.get<{ artifacts: { path: string }[] }>(
      '/api/v1/repositories/raw-hosted/artifacts?prefix=docs/',
    );
    expect(docs.body.artifacts.map((a) => a.path)).toEqual(['docs/readme.txt']);

    const search = await client.get<{ artifacts: { path: string }[]; next_cursor: string | null }>(
      '/api/v1/repositories/raw-hosted/artifacts?q=ONE',
    );
    expect(search.body.artifacts.map((a) => a.path)).toEqual(['docs/guide/one.txt']);
    const bad = await client.get<{ error: { code: string } }>('/api/v1/repositories/raw-hosted/artifacts?limit=0');
    expect(bad.status).toBe(400);
  });

  it('reads through a cache over the hosted repo and a proxy over both', async () => {
    const cache = await client.post('/api/v1/repositories', {
      name: 'raw-cache',
      repo_type: 'cache',
      format: 'raw',
      store: 'default',
      upstream_url: `${depot.url}/repository/raw-hosted`,
      upstream_auth: { username: 'admin', password: depot.adminPassword },
    });
    expect(cache.status, JSON.stringify(cache.body)).toBe(201);
    const proxy = await client.post('/api/v1/repositories', {
      name: 'raw-group',
      repo_type: 'proxy',
      format: 'raw',
      store: 'default',
      members: ['raw-hosted', 'raw-cache'],
    });
    expect(proxy.status, JSON.stringify(proxy.body)).toBe(201);
    expect(await (await get('raw-cache/docs/readme.txt')).text()).toBe('hello depot');
    expect(await (await get('raw-group/top.bin')).arrayBuffer()).toEqual(new Uint8Array([1, 2, 3]).buffer);
    expect((await get('raw-group/missing.txt')).status).toBe(404);
  });

  it('streams archives of a prefix as tar, tar.gz and zip', async () => {
    const tar = await fetch(`${depot.url}/api/v1/repositories/raw-hosted/download-archive?prefix=docs/&format=tar`, {
      headers: { authorization: client.authorization },
    });
    expect(tar.status).toBe(200);
    expect(tar.headers.get('content-disposition')).toContain('docs.tar');
    expect(await tarNames(new Uint8Array(await tar.arrayBuffer()), false)).toEqual({
      'docs/guide/one.txt': 'one',
      'docs/readme.txt': 'hello depot',
    });
    const tgz = await fetch(`${depot.url}/api/v1/repositories/raw-hosted/download-archive?format=tar.gz`, {
      headers: { authorization: client.authorization },
    });
    expect(Object.keys(await tarNames(new Uint8Array(await tgz.arrayBuffer()), true)).sort()).toEqual([
      'docs/guide/one.txt',
      'docs/readme.txt',
      'top.bin',
    ]);
    const zip = await fetch(`${depot.url}/api/v1/repositories/raw-hosted/download-archive?format=zip`, {
      headers: { authorization: client.authorization },
    });
    const bytes = new Uint8Array(await zip.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect(Buffer.from(bytes).includes('docs/readme.txt')).toBe(true);
    const badFormat = await client.get('/api/v1/repositories/raw-hosted/download-archive?format=rar');
    expect(badFormat.status).toBe(400);
  });

  it('sends a multi-chunk artifact whole and by range; aborted and truncated sends leave nothing open', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 123);
    const up = await put('raw-hosted/big/blob.bin', data);
    expect(up.status).toBe(201);
    const { blob_id: blobId } = (await up.json()) as { blob_id: string };
    const whole = await get('raw-hosted/big/blob.bin');
    expect(Buffer.compare(Buffer.from(await whole.arrayBuffer()), data)).toBe(0);
    const ranged = await get('raw-hosted/big/blob.bin', { headers: { range: 'bytes=600000-1700000' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.compare(Buffer.from(await ranged.arrayBuffer()), data.subarray(600000, 1700001))).toBe(0);

    const fds = () => readdirSync(`/proc/${depot.pid()}/fd`).length;
    const baseline = fds();
    for (let i = 0; i < 8; i++) await abortAfterFirstChunk(`${depot.url}/repository/raw-hosted/big/blob.bin`);
    await waitFor(() => fds() <= baseline);
    expect(fds()).toBeLessThanOrEqual(baseline);

    // A blob file shorter than its record is an integrity error, not a body cut short of its Content-Length.
    // (Cutting the blob short reaches into the file store's directory, so only level-fs checks it.)
    if (backend === 'level-fs') {
      truncateSync(findFile(join(depot.dataDir, 'blobs'), blobId), 1024 * 1024);
      const cut = await get('raw-hosted/big/blob.bin');
      expect(cut.status).toBe(500);
      expect(await cut.json()).toMatchObject({ error: { code: 'DATA_INTEGRITY_ERROR' } });
      expect((await get('raw-hosted/big/blob.bin', { method: 'HEAD' })).status).toBe(500);
      expect(depot.logs()).toContain('its record says');
    }
    expect(await (await get('raw-hosted/docs/readme.txt')).text()).toBe('hello depot');
    await waitFor(() => fds() <= baseline);
    expect(fds()).toBeLessThanOrEqual(baseline);
    // Closed by Depot, not by the garbage collector (which Node reports with a warning).
    expect(depot.logs()).not.toContain('on garbage collection');
  });

  it('keeps data across a restart', async () => {
    await depot.restart();
    expect(await (await get('raw-hosted/docs/readme.txt')).text()).toBe('hello depot');
    expect((await client.get('/api/v1/repositories/raw-group')).status).toBe(200);
  });

  it('bulk-deletes a prefix', async () => {
    const res = await client.post<{ deleted: number }>('/api/v1/repositories/raw-hosted/bulk-delete', {
      prefix: 'docs/',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.deleted).toBe(2);
    expect((await get('raw-hosted/docs/readme.txt')).status).toBe(404);
    expect((await get('raw-hosted/top.bin')).status).toBe(200);
  });

  it('soft-deletes a repository: 404 at once, drained in the background', async () => {
    await client.post('/api/v1/repositories', { name: 'doomed', repo_type: 'hosted', format: 'raw', store: 'default' });
    expect((await put('doomed/a.txt', 'a')).status).toBe(201);
    expect((await client.delete('/api/v1/repositories/doomed')).status).toBe(204);
    expect((await get('doomed/a.txt')).status).toBe(404);
    expect((await client.get('/api/v1/repositories/doomed/artifacts')).status).toBe(404);
    // Once drained, the name is free again.
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (
        await client.post('/api/v1/repositories', {
          name: 'doomed',
          repo_type: 'hosted',
          format: 'raw',
          store: 'default',
        })
      ).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(201);
    expect((await get('doomed/a.txt')).status).toBe(404);
  });
});
