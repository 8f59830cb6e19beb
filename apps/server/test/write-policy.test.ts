import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDepot } from './helpers/use-depot.js';

// Repository policies through the one dispatch and the engine, on a real server: write_policy
// (allow_once, read_only), the negative cache and the offline switch of cache repositories.

/** A stand-in upstream that counts requests per path and serves what `files` holds. */
const files = new Map<string, string>();
const hits = new Map<string, number>();
let upstream: Server;
let upstreamUrl = '';
beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = files.get(path);
    if (body === undefined) res.writeHead(404).end('no');
    else res.writeHead(200, { 'content-length': String(Buffer.byteLength(body)) }).end(body);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/up/`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe('repository policies', () => {
  const depot = useDepot(() => ({
    toml: `
[[initialization.repositories]]
name = "raw-once"
repo_type = "hosted"
format = "raw"
store = "default"
write_policy = "allow_once"

[[initialization.repositories]]
name = "raw-frozen"
repo_type = "hosted"
format = "raw"
store = "default"

[[initialization.repositories]]
name = "raw-all"
repo_type = "proxy"
format = "raw"
store = "default"
members = ["raw-frozen"]

[[initialization.repositories]]
name = "raw-up"
repo_type = "cache"
format = "raw"
store = "default"
upstream_url = "${upstreamUrl}"
negative_cache_ttl_secs = 3600
`,
  }));
  const { client } = depot;
  const send = (method: string, path: string, body?: string) =>
    fetch(`${depot.url}/repository/${path}`, {
      method,
      ...(body === undefined ? {} : { body }),
      headers: { authorization: client.authorization },
    });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const setPolicy = async (name: string, fields: Record<string, unknown>) => {
    const res = await client.put(`/api/v1/repositories/${name}`, fields);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it('allow_once: a path is written once (409 naming the policy); the same bytes again are accepted; delete still works', async () => {
    expect((await send('PUT', 'raw-once/app/1.0/app.bin', 'first')).status).toBe(201);
    const second = await send('PUT', 'raw-once/app/1.0/app.bin', 'second');
    expect(second.status).toBe(409);
    const error = await errorOf(second);
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('allow_once');
    expect(await (await send('GET', 'raw-once/app/1.0/app.bin')).text()).toBe('first');
    expect((await send('PUT', 'raw-once/app/1.0/app.bin', 'first')).status).toBeLessThan(300);
    expect((await send('DELETE', 'raw-once/app/1.0/app.bin')).status).toBe(204);
    expect((await send('PUT', 'raw-once/app/1.0/app.bin', 'third')).status).toBe(201);
  });

  it('read_only: writes and deletes are 405 (directly and through a proxy), reads work; the policy is switched through the API', async () => {
    expect((await send('PUT', 'raw-frozen/kept.txt', 'kept')).status).toBe(201);
    await setPolicy('raw-frozen', { write_policy: 'read_only' });
    expect((await client.get<{ write_policy: string }>('/api/v1/repositories/raw-frozen')).body.write_policy).toBe(
      'read_only',
    );
    for (const [method, path] of [
      ['PUT', 'raw-frozen/new.txt'],
      ['DELETE', 'raw-frozen/kept.txt'],
      ['PUT', 'raw-all/new.txt'],
      ['DELETE', 'raw-all/kept.txt'],
    ] as const) {
      const res = await send(method, path, method === 'PUT' ? 'x' : undefined);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect((await errorOf(res)).code).toBe('NOT_ALLOWED');
    }
    expect(await (await send('GET', 'raw-all/kept.txt')).text()).toBe('kept');
    expect((await send('GET', 'raw-frozen/new.txt')).status).toBe(404);
    await setPolicy('raw-frozen', { write_policy: null });
    expect((await send('PUT', 'raw-frozen/new.txt', 'now')).status).toBe(201);
  });

  it('refuses a policy the repository type cannot take, naming the field', async () => {
    const bad = await client.put('/api/v1/repositories/raw-up', { write_policy: 'allow_once' });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { message: string } }).error.message).toContain('write_policy');
    for (const field of [
      { offline: true },
      { cooldown_secs: 60 },
      { negative_cache_ttl_secs: 60 },
      { content_ttl_secs: 60 },
    ]) {
      const hosted = await client.put('/api/v1/repositories/raw-once', field);
      expect(hosted.status, JSON.stringify(field)).toBe(400);
    }
    expect((await client.put('/api/v1/repositories/raw-up', { cooldown_allow: [''] })).status).toBe(400);
    const unknown = await client.put('/api/v1/repositories/raw-once', { write_policy: 'sometimes' });
    expect(unknown.status).toBe(400);
    for (const immutable_tags of [['v/*'], 'v*', [''], Array.from({ length: 65 }, (_, i) => `t${i}`)]) {
      const docker = await client.post('/api/v1/repositories', {
        name: 'images',
        repo_type: 'hosted',
        format: 'docker',
        store: 'default',
        format_options: { immutable_tags },
      });
      expect(docker.status, JSON.stringify(immutable_tags)).toBe(400);
      expect((docker.body as { error: { message: string } }).error.message).toContain('immutable_tags');
    }
  });

  it('negative cache: an upstream 404 is remembered for negative_cache_ttl_secs, not asked again', async () => {
    for (let i = 0; i < 3; i++) expect((await send('GET', 'raw-up/typo.txt')).status).toBe(404);
    expect(hits.get('/up/typo.txt')).toBe(1);
    await setPolicy('raw-up', { negative_cache_ttl_secs: null });
    for (let i = 0; i < 2; i++) expect((await send('GET', 'raw-up/other-typo.txt')).status).toBe(404);
    expect(hits.get('/up/other-typo.txt')).toBe(2);
  });

  it('offline: held files are served, misses are 404 naming the switch, and the upstream is never asked', async () => {
    files.set('/up/held.txt', 'held');
    expect(await (await send('GET', 'raw-up/held.txt')).text()).toBe('held');
    await setPolicy('raw-up', { offline: true, cache_ttl_secs: 0 });
    const before = [...hits.values()].reduce((a, b) => a + b, 0);
    files.set('/up/new.txt', 'new');
    expect(await (await send('GET', 'raw-up/held.txt')).text()).toBe('held');
    const miss = await send('GET', 'raw-up/new.txt');
    expect(miss.status).toBe(404);
    expect((await errorOf(miss)).message).toContain('offline');
    expect([...hits.values()].reduce((a, b) => a + b, 0)).toBe(before);
    await setPolicy('raw-up', { offline: false });
    expect(await (await send('GET', 'raw-up/new.txt')).text()).toBe('new');
  });
});
