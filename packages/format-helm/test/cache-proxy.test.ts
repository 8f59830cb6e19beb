import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listIntegrityEvents } from '@depot/core';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { helmFormat } from '../src/index.js';
import { fetchIndex, helmPull } from './client.js';
import { chartTgz } from './helpers.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A static chart server: `files` by path, plus a hit log; `down()` makes it answer 503. */
async function staticServer(files: Map<string, Uint8Array | string>) {
  const hits: string[] = [];
  const auth: (string | undefined)[] = [];
  let isDown = false;
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    auth.push(req.headers.authorization);
    const body = files.get(req.url ?? '');
    if (isDown) res.writeHead(503).end();
    else if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    auth,
    down: () => {
      isDown = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function harness(): Promise<FormatHarness> {
  const h = await createFormatHarness({ format: helmFormat() });
  closers.push(() => h.close());
  return h;
}

describe('cache', () => {
  it('rewrites relative, absolute and other-host chart URLs to Depot, verifies digests and serves stale when the upstream is down', async () => {
    const a = chartTgz('alpha', '1.0.0');
    const b = chartTgz('beta', '2.0.0');
    const c = chartTgz('gamma', '0.3.0');
    const cdn = await staticServer(new Map([['/dl/gamma-0.3.0.tgz', c]]));
    closers.push(cdn.close);
    const files = new Map<string, Uint8Array | string>([
      ['/repo/charts/alpha-1.0.0.tgz', a],
      ['/repo/charts/alpha-1.0.0.tgz.prov', '-----BEGIN PGP SIGNED MESSAGE-----\nalpha\n'],
      ['/repo/beta-2.0.0.tgz', b],
    ]);
    const upstream = await staticServer(files);
    closers.push(upstream.close);
    files.set(
      '/repo/index.yaml',
      stringify({
        apiVersion: 'v1',
        entries: {
          alpha: [{ name: 'alpha', version: '1.0.0', urls: ['charts/alpha-1.0.0.tgz'], digest: sha256(a) }],
          beta: [{ name: 'beta', version: '2.0.0', urls: [`${upstream.url}/repo/beta-2.0.0.tgz`], digest: sha256(b) }],
          gamma: [
            {
              name: 'gamma',
              version: '0.3.0',
              urls: [`${cdn.url.replace('127.0.0.1', 'localhost')}/dl/gamma-0.3.0.tgz`],
              digest: sha256(c),
            },
          ],
        },
      }),
    );
    const h = await harness();
    await h.createRepo({
      name: 'cache',
      repo_type: 'cache',
      upstream_url: `${upstream.url}/repo`,
      cache_ttl_secs: 1,
      upstream_auth: { username: 'mirror', password: 'secret' },
      upstream_redirect_hosts: ['localhost'],
    });
    const index = await fetchIndex(h, 'cache');
    expect(index.entries.alpha?.[0]?.urls).toEqual(['charts/alpha-1.0.0.tgz']);
    expect(index.entries.beta?.[0]?.urls).toEqual(['beta-2.0.0.tgz']);
    expect(index.entries.gamma?.[0]?.urls[0]).toMatch(/^_helm\/ext\/[0-9a-f]+\/gamma-0\.3\.0\.tgz$/);
    for (const [name, version, bytes] of [
      ['alpha', '1.0.0', a],
      ['beta', '2.0.0', b],
      ['gamma', '0.3.0', c],
    ] as const) {
      const res = await helmPull(h, 'cache', name, version);
      expect(res.status, name).toBe(200);
      expect(sha256(res.body)).toBe(sha256(bytes));
    }
    // `helm pull --verify` fetches `{chart URL}.prov`: through the cache too.
    const prov = await h.request({ method: 'GET', repo: 'cache', path: 'charts/alpha-1.0.0.tgz.prov' });
    expect(prov.status).toBe(200);
    expect(prov.text()).toContain('alpha');
    expect(cdn.hits).toEqual(['/dl/gamma-0.3.0.tgz']);
    // The upstream's credentials go to the upstream, never to another host its index names.
    expect(cdn.auth).toEqual([undefined]);
    expect(upstream.auth.every((a) => a?.startsWith('Basic '))).toBe(true);
    // A path the index never named is not fetched from anywhere.
    expect((await h.request({ method: 'GET', repo: 'cache', path: '_helm/ext/0123/evil.tgz' })).status).toBe(404);
    // The index copy is internal: not listed among the repository's artifacts by browse.
    expect((await h.engine.browse('cache', '')).dirs.map((d) => d.name)).not.toContain('_helm/upstream');

    upstream.down();
    cdn.down();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stale = await fetchIndex(h, 'cache');
    expect(Object.keys(stale.entries)).toEqual(['alpha', 'beta', 'gamma']);
    expect((await helmPull(h, 'cache', 'gamma', '0.3.0')).status).toBe(200);
  });

  it('refuses a chart whose bytes do not match the index digest and stores nothing', async () => {
    const real = chartTgz('alpha', '1.0.0');
    const files = new Map<string, Uint8Array | string>([
      ['/alpha-1.0.0.tgz', chartTgz('alpha', '1.0.0', 7)],
      [
        '/index.yaml',
        stringify({
          apiVersion: 'v1',
          entries: { alpha: [{ name: 'alpha', version: '1.0.0', urls: ['alpha-1.0.0.tgz'], digest: sha256(real) }] },
        }),
      ],
    ]);
    const upstream = await staticServer(files);
    closers.push(upstream.close);
    const h = await harness();
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: upstream.url, cache_ttl_secs: 60 });
    const res = await h.request({ method: 'GET', repo: 'cache', path: 'alpha-1.0.0.tgz' });
    expect(res.status).toBe(502);
    expect(res.json<{ code: string }>().code).toBe('UPSTREAM_ERROR');
    expect(await h.engine.stat('cache', 'alpha-1.0.0.tgz')).toBeNull();
  });

  it('keeps serving the held chart when the upstream later swaps it, and records the change', async () => {
    const first = chartTgz('beta', '1.0.0');
    const swapped = chartTgz('beta', '1.0.0', 3);
    const index = (chart: Uint8Array) =>
      stringify({
        apiVersion: 'v1',
        entries: { beta: [{ name: 'beta', version: '1.0.0', urls: ['beta-1.0.0.tgz'], digest: sha256(chart) }] },
      });
    const files = new Map<string, Uint8Array | string>([
      ['/beta-1.0.0.tgz', first],
      ['/index.yaml', index(first)],
    ]);
    const upstream = await staticServer(files);
    closers.push(upstream.close);
    const h = await harness();
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: upstream.url, cache_ttl_secs: 0 });
    expect(
      (await h.request({ method: 'GET', repo: 'cache', path: 'beta-1.0.0.tgz' })).body.equals(Buffer.from(first)),
    ).toBe(true);
    files.set('/beta-1.0.0.tgz', swapped);
    files.set('/index.yaml', index(swapped));
    // A client refreshing the index is when the swap shows.
    expect((await h.request({ method: 'GET', repo: 'cache', path: 'index.yaml' })).status).toBe(200);
    const again = await h.request({ method: 'GET', repo: 'cache', path: 'beta-1.0.0.tgz' });
    expect([again.status, again.body.equals(Buffer.from(first))]).toEqual([200, true]);
    await new Promise((r) => setTimeout(r, 10));
    expect(await listIntegrityEvents(h.kv, 'cache')).toEqual([
      expect.objectContaining({
        format: 'helm',
        subject: 'beta 1.0.0',
        pinned: { sha256: sha256(first) },
        upstream: { sha256: sha256(swapped) },
      }),
    ]);
  });

  it('an upstream index.yaml that is not YAML is a 502, not a crash', async () => {
    const upstream = await staticServer(new Map([['/index.yaml', 'entries: [unclosed']]));
    closers.push(upstream.close);
    const h = await harness();
    await h.createRepo({ name: 'cache', repo_type: 'cache', upstream_url: upstream.url, cache_ttl_secs: 60 });
    const res = await h.request({ method: 'GET', repo: 'cache', path: 'index.yaml' });
    expect(res.status).toBe(502);
    expect(res.json<{ code: string }>().code).toBe('UPSTREAM_ERROR');
  });
});

describe('proxy', () => {
  it('merges member indexes, first member wins per name and version, and a publish shows at once', async () => {
    const h = await harness();
    await h.createRepo({ name: 'one' });
    await h.createRepo({ name: 'two' });
    await h.createRepo({ name: 'group', repo_type: 'proxy', members: ['one', 'two'] });
    const first = chartTgz('web', '1.0.0', 0);
    const second = chartTgz('web', '1.0.0', 1);
    await h.request({ method: 'PUT', repo: 'two', path: 'web-1.0.0.tgz', body: second });
    await h.request({ method: 'PUT', repo: 'two', path: 'web-2.0.0.tgz', body: chartTgz('web', '2.0.0') });
    expect((await fetchIndex(h, 'group')).entries.web?.map((e) => e.digest)).toEqual([
      sha256(chartTgz('web', '2.0.0')),
      sha256(second),
    ]);
    await h.request({ method: 'PUT', repo: 'one', path: 'web-1.0.0.tgz', body: first });
    await h.request({ method: 'PUT', repo: 'one', path: 'api-0.1.0.tgz', body: chartTgz('api', '0.1.0') });
    const merged = await fetchIndex(h, 'group');
    expect(Object.keys(merged.entries)).toEqual(['api', 'web']);
    expect(merged.entries.web?.map((e) => [e.version, e.digest])).toEqual([
      ['2.0.0', sha256(chartTgz('web', '2.0.0'))],
      ['1.0.0', sha256(first)],
    ]);
    expect(sha256((await helmPull(h, 'group', 'web', '1.0.0')).body)).toBe(sha256(first));
  });

  it('writes through a proxy land in its write member', async () => {
    const h = await harness();
    await h.createRepo({ name: 'one' });
    await h.createRepo({ name: 'group', repo_type: 'proxy', members: ['one'], write_member: 'one' });
    expect(
      (await h.request({ method: 'PUT', repo: 'group', path: 'web-1.0.0.tgz', body: chartTgz('web', '1.0.0') })).status,
    ).toBe(201);
    expect(Object.keys((await fetchIndex(h, 'one')).entries)).toEqual(['web']);
  });
});
