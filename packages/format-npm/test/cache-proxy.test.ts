import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { getPackument, type PackumentJson, packageTgz, publish, sha1, sri } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function harness(): Promise<FormatHarness> {
  const h = await createFormatHarness({ format: npmFormat({ proxyMetadataTtlSecs: 0 }) });
  open.push(h);
  return h;
}

/** A hand-written upstream registry whose tarball bytes can be made to lie about the packument. */
async function lyingUpstream(name: string, version: string, served: Uint8Array, claimed: Uint8Array): Promise<string> {
  const packument = {
    name,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        name,
        version,
        dist: {
          tarball: `http://elsewhere.invalid/${name}/-/${name}-${version}.tgz`,
          integrity: sri(claimed),
          shasum: sha1(claimed),
        },
      },
    },
  };
  const server: Server = createServer((req, res) => {
    if (req.url === `/${name}`) {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(JSON.stringify(packument));
    } else if (req.url === `/${name}/-/${name}-${version}.tgz`) {
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(served.byteLength) })
        .end(served);
    } else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('npm cache repositories', () => {
  it('caches a packument and tarballs from a real HTTP upstream, rewrites URLs, serves stale when it is down', async () => {
    const origin = await harness();
    await origin.createRepo({ name: 'origin' });
    await publish(origin, 'origin', '@up/lib', '1.0.0');
    const server = await origin.listen();
    const h = await harness();
    await h.createRepo({
      name: 'c',
      repo_type: 'cache',
      upstream_url: `${server.url}/repository/origin/`,
      cache_ttl_secs: 1,
    });
    const doc = (await getPackument(h, 'c', '@up/lib')).json<PackumentJson>();
    const url = doc.versions['1.0.0']?.dist.tarball ?? '';
    expect(url).toBe('http://depot.test/repository/c/@up/lib/-/lib-1.0.0.tgz');
    const tgz = await h.request({ method: 'GET', repo: 'c', path: '@up/lib/-/lib-1.0.0.tgz' });
    expect(tgz.status).toBe(200);
    expect(new Uint8Array(tgz.body)).toEqual(packageTgz('@up/lib', '1.0.0'));
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await getPackument(h, 'c', '@up/lib')).status).toBe(200);
    expect((await h.request({ method: 'GET', repo: 'c', path: '@up/lib/-/lib-1.0.0.tgz' })).status).toBe(200);
    expect((await publish(h, 'c', 'x', '1.0.0')).status).toBe(405);
  });

  it('verifies an upstream tarball against the packument integrity before storing it', async () => {
    const good = packageTgz('liar', '1.0.0', 1);
    const bad = packageTgz('liar', '1.0.0', 2);
    const upstream = await lyingUpstream('liar', '1.0.0', bad, good);
    const h = await harness();
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: upstream, cache_ttl_secs: 3600 });
    const doc = (await getPackument(h, 'c', 'liar')).json<PackumentJson>();
    expect(doc.versions['1.0.0']?.dist.tarball).toBe('http://depot.test/repository/c/liar/-/liar-1.0.0.tgz');
    const before = await h.blobStore.stats(); // the cached packument only
    for (const method of ['GET', 'HEAD']) {
      const res = await h.request({ method, repo: 'c', path: 'liar/-/liar-1.0.0.tgz' });
      expect(res.status).toBe(502);
    }
    expect(await h.engine.stat('c', 'liar/-/liar-1.0.0.tgz')).toBeNull();
    expect(await h.blobStore.stats()).toEqual(before);
    expect(before.blobCount).toBe(1);
  });

  it('stores and serves an upstream tarball that matches, with an ETag from its hash', async () => {
    const tgz = packageTgz('honest', '1.0.0');
    const upstream = await lyingUpstream('honest', '1.0.0', tgz, tgz);
    const h = await harness();
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: upstream, cache_ttl_secs: 3600 });
    const res = await h.request({ method: 'GET', repo: 'c', path: 'honest/-/honest-1.0.0.tgz' });
    expect(res.status).toBe(200);
    expect(new Uint8Array(res.body)).toEqual(tgz);
    const stored = await h.engine.stat('c', 'honest/-/honest-1.0.0.tgz');
    expect(res.headers.etag).toBe(`"${stored?.hashes.blake3}"`);
    expect(stored?.hashes.blake3).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('npm proxy repositories', () => {
  it('merges member packuments first-member-wins and publishes to the write member', async () => {
    const origin = await harness();
    await origin.createRepo({ name: 'origin' });
    await publish(origin, 'origin', 'shared', '1.0.0', { variant: 9 });
    await publish(origin, 'origin', 'shared', '3.0.0');
    await publish(origin, 'origin', 'shared', '4.0.0-rc.1', { tag: 'next' });
    const server = await origin.listen();
    const h = await harness();
    await h.createRepo({ name: 'hosted' });
    await h.createRepo({
      name: 'cache',
      repo_type: 'cache',
      upstream_url: `${server.url}/repository/origin`,
      cache_ttl_secs: 3600,
    });
    await h.createRepo({ name: 'group', repo_type: 'proxy', members: ['hosted', 'cache'], write_member: 'hosted' });
    await publish(h, 'hosted', 'shared', '1.0.0', { variant: 1 });
    await publish(h, 'hosted', 'shared', '2.0.0');
    const doc = (await getPackument(h, 'group', 'shared')).json<PackumentJson>();
    expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', '2.0.0', '3.0.0', '4.0.0-rc.1']);
    expect(doc['dist-tags']).toEqual({ latest: '2.0.0', next: '4.0.0-rc.1' });
    expect(doc.versions['1.0.0']?.dist.tarball).toBe('http://depot.test/repository/group/shared/-/shared-1.0.0.tgz');
    const first = await h.request({ method: 'GET', repo: 'group', path: 'shared/-/shared-1.0.0.tgz' });
    expect(new Uint8Array(first.body)).toEqual(packageTgz('shared', '1.0.0', 1));
    const upstreamOnly = await h.request({ method: 'GET', repo: 'group', path: 'shared/-/shared-3.0.0.tgz' });
    expect(new Uint8Array(upstreamOnly.body)).toEqual(packageTgz('shared', '3.0.0'));
    expect((await publish(h, 'group', 'shared', '2.1.0')).status).toBe(201);
    expect(Object.keys((await getPackument(h, 'hosted', 'shared')).json<PackumentJson>().versions)).toContain('2.1.0');
    expect(Object.keys((await getPackument(h, 'group', 'shared')).json<PackumentJson>().versions)).toContain('2.1.0');
    const search = await h.request({ method: 'GET', repo: 'group', path: '-/v1/search', query: { text: 'shared' } });
    expect(search.json<{ total: number }>().total).toBe(1);
  });
});

describe('npm proxy repositories whose cache member is down', () => {
  // Regression: a 502 for a never-published name made npm 11's pre-publish packument read wait
  // out its 5xx retries (10 s + 60 s), which timed out the server's end-to-end test.
  it('answers 404 quickly for a name no reachable member knows, so publish through it proceeds', {
    timeout: 5_000,
  }, async () => {
    const origin = await harness();
    await origin.createRepo({ name: 'origin' });
    await publish(origin, 'origin', 'from-up', '1.0.0');
    const server = await origin.listen();
    const h = await harness();
    await h.createRepo({ name: 'local' });
    await h.createRepo({
      name: 'up',
      repo_type: 'cache',
      upstream_url: `${server.url}/repository/origin/`,
      cache_ttl_secs: 1,
    });
    await h.createRepo({ name: 'all', repo_type: 'proxy', members: ['local', 'up'], write_member: 'local' });
    expect((await getPackument(h, 'all', 'from-up')).status).toBe(200);
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const method of ['GET', 'HEAD']) {
      expect((await h.request({ method, repo: 'all', path: 'new-app' })).status).toBe(404);
    }
    const concurrent = await Promise.all(Array.from({ length: 4 }, () => getPackument(h, 'all', 'new-app')));
    expect(concurrent.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    expect((await publish(h, 'all', 'new-app', '1.0.0')).status).toBe(201);
    expect((await getPackument(h, 'all', 'new-app')).status).toBe(200);
    // What a member still holds is served stale; what nobody can be asked about stays a 502 on the cache itself.
    expect((await getPackument(h, 'all', 'from-up')).status).toBe(200);
    expect((await getPackument(h, 'up', 'new-app')).status).toBe(502);
  });
});
