import { describe, expect, it } from 'vitest';
import { counting, rawHarnesses } from './raw-helpers.js';

const code = (res: { json(): unknown }): unknown => (res.json() as { error: { code: string } }).error.code;

describe('raw cache and proxy repositories', () => {
  const open = rawHarnesses();
  const bytes = counting(5000);

  /** A hosted `origin` holding `lib/a.jar`, served over real HTTP on 127.0.0.1. */
  async function upstream() {
    const { h: origin } = await open();
    await origin.createRepo({ name: 'origin' });
    expect((await origin.request({ method: 'PUT', repo: 'origin', path: 'lib/a.jar', body: bytes })).status).toBe(201);
    const server = await origin.listen();
    return { origin, server, url: `${server.url}/repository/origin` };
  }

  it('a cache serves the upstream copy, revalidates it, and serves it stale once the upstream is gone', async () => {
    const { server, url } = await upstream();
    const { h } = await open();
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: url, cache_ttl_secs: 0 });

    const first = await h.request({ method: 'GET', repo: 'cache', path: 'lib/a.jar' });
    expect(first.status).toBe(200);
    expect(first.body.equals(Buffer.from(bytes))).toBe(true);
    expect(first.headers['content-type']).toBe('application/java-archive');
    // The first read may be streamed while stored (hashes unknown yet): then no ETag, never an empty one.
    if (first.headers.etag !== undefined) expect(first.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(server.requests.filter((r) => r.path === '/repository/origin/lib/a.jar').length).toBeGreaterThan(0);

    const hits = server.hits();
    const again = await h.request({ method: 'GET', repo: 'cache', path: 'lib/a.jar' });
    expect(again.body.equals(Buffer.from(bytes))).toBe(true);
    expect(again.headers['x-checksum-sha256'], 'cached copies get a SHA-256').toMatch(/^[0-9a-f]{64}$/);
    expect(again.headers.etag).toBe(`"${again.headers['x-checksum-blake3']}"`);
    expect(server.hits(), 'ttl 0 revalidates on every access').toBeGreaterThan(hits);

    await server.stop();
    const stale = await h.request({ method: 'GET', repo: 'cache', path: 'lib/a.jar' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(Buffer.from(bytes))).toBe(true);
    const range = await h.request({ method: 'GET', repo: 'cache', path: 'lib/a.jar', headers: { range: 'bytes=-3' } });
    expect([range.status, range.headers['content-range']]).toEqual([206, 'bytes 4997-4999/5000']);
    expect(range.body.equals(Buffer.from(bytes.subarray(4997)))).toBe(true);
  });

  it('a cache with a fresh copy does not ask the upstream again', async () => {
    const { server, url } = await upstream();
    const { h } = await open();
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: url, cache_ttl_secs: 3600 });
    expect((await h.request({ method: 'GET', repo: 'cache', path: 'lib/a.jar' })).status).toBe(200);
    const hits = server.hits();
    expect((await h.request({ method: 'HEAD', repo: 'cache', path: 'lib/a.jar' })).status).toBe(200);
    expect(
      (await h.request({ method: 'GET', repo: 'cache', path: 'lib/a.jar', headers: { range: 'bytes=0-0' } })).status,
    ).toBe(206);
    expect(server.hits()).toBe(hits);
  });

  it('a cache refuses writes with 405 and answers 404 for what the upstream lacks', async () => {
    const { url } = await upstream();
    const { h } = await open();
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: url });
    const put = await h.request({ method: 'PUT', repo: 'cache', path: 'lib/b.jar', body: 'x' });
    expect([put.status, code(put)]).toEqual([405, 'NOT_ALLOWED']);
    const missing = await h.request({ method: 'GET', repo: 'cache', path: 'lib/missing.jar' });
    expect([missing.status, code(missing)]).toEqual([404, 'NOT_FOUND']);
  });

  it('a proxy over hosted + cache reads both in order and writes to its write member', async () => {
    const { url } = await upstream();
    const { h } = await open();
    await h.createRepo({ name: 'hosted' });
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: url, cache_ttl_secs: 3600 });
    await h.createRepo({
      name: 'group',
      repo_type: 'proxy',
      members: ['hosted', 'cache'],
      write_member: 'hosted',
      format_options: { content_disposition: 'inline' },
    });

    const viaCache = await h.request({ method: 'GET', repo: 'group', path: 'lib/a.jar' });
    expect(viaCache.status).toBe(200);
    expect(viaCache.body.equals(Buffer.from(bytes))).toBe(true);
    expect(viaCache.headers['content-disposition']).toBe('inline; filename="a.jar"');

    expect((await h.request({ method: 'PUT', repo: 'group', path: 'lib/a.jar', body: 'local wins' })).status).toBe(201);
    expect((await h.engine.stat('hosted', 'lib/a.jar'))?.size).toBe(10);
    expect((await h.request({ method: 'GET', repo: 'group', path: 'lib/a.jar' })).text()).toBe('local wins');
    const head = await h.request({ method: 'HEAD', repo: 'group', path: 'lib/a.jar' });
    expect(head.headers['content-length']).toBe('10');

    expect((await h.request({ method: 'DELETE', repo: 'group', path: 'lib/a.jar' })).status).toBe(204);
    expect((await h.request({ method: 'GET', repo: 'group', path: 'lib/nothing' })).status).toBe(404);
  });
});
