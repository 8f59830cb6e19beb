import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listIntegrityEvents } from '@depot/core';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { cargoFormat } from '../src/index.js';
import { crateFile, publish } from './helpers.js';

const harnesses: FormatHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function originAndCache() {
  const origin = await createFormatHarness({ format: cargoFormat() });
  harnesses.push(origin);
  await origin.createRepo({ name: 'origin' });
  expect((await publish(origin, 'origin', 'zeta', '1.0.0', crateFile('zeta', '1.0.0'))).status).toBe(200);
  const server = await origin.listen();
  const h = await createFormatHarness({ format: cargoFormat() });
  harnesses.push(h);
  await h.createRepo({
    name: 'cache',
    repo_type: 'cache',
    upstream_url: `${server.url}/repository/origin/index/`,
    cache_ttl_secs: 0,
  });
  return { origin, h, server };
}

describe('cargo cache of an upstream sparse registry', () => {
  it('serves its own config.json, the upstream index, and the upstream index when the upstream fails', async () => {
    const { h, server } = await originAndCache();
    const config = (await h.request({ method: 'GET', repo: 'cache', path: 'index/config.json' })).json<{
      dl: string;
    }>();
    expect(config.dl).toBe('http://depot.test/repository/cache/api/v1/crates');
    expect((await h.request({ method: 'GET', repo: 'cache', path: 'index/ze/ta/zeta' })).text()).toContain(
      '"vers":"1.0.0"',
    );
    await server.stop();
    const stale = await h.request({ method: 'GET', repo: 'cache', path: 'index/ze/ta/zeta' });
    expect(stale.status).toBe(200);
    expect(stale.text()).toContain('"vers":"1.0.0"');
  });

  it('refuses a crate whose bytes do not match the cksum of the upstream index, storing nothing', async () => {
    const { origin, h } = await originAndCache();
    // The upstream now serves other bytes under the published version.
    const published = (await origin.engine.list('origin')).artifacts.find((a) => a.path.startsWith('crates/zeta/'));
    expect(published).toBeDefined();
    await origin.engine.put('origin', published?.path ?? '', crateFile('zeta', '1.0.0', 7), { overwrite: true });
    const res = await h.request({ method: 'GET', repo: 'cache', path: 'api/v1/crates/zeta/1.0.0/download' });
    expect(res.status).toBe(502);
    expect(res.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toEqual(expect.any(String));
    expect((await h.engine.list('cache')).artifacts.filter((a) => a.path.endsWith('.crate'))).toEqual([]);
  });

  it('through a proxy, a cache member whose upstream is down is skipped for the index and downloads', async () => {
    const { h, server } = await originAndCache();
    await server.stop();
    await h.createRepo({ name: 'local' });
    const crate = crateFile('eta', '1.0.0');
    expect((await publish(h, 'local', 'eta', '1.0.0', crate)).status).toBe(200);
    await h.createRepo({ name: 'group', repo_type: 'proxy', members: ['cache', 'local'] });
    expect((await h.request({ method: 'GET', repo: 'group', path: 'index/3/e/eta' })).text()).toContain(
      '"vers":"1.0.0"',
    );
    const dl = await h.request({ method: 'GET', repo: 'group', path: 'api/v1/crates/eta/1.0.0/download' });
    expect(dl.status).toBe(200);
    expect(dl.body.equals(crate)).toBe(true);
  });

  it('keeps the first verified crate and its cksum when the upstream swaps a published version, and records it', async () => {
    const first = crateFile('theta', '1.0.0');
    const swapped = crateFile('theta', '1.0.0', 9);
    let served = first;
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const upstream = createServer((req, res) => {
      const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      if (req.url === '/index/config.json') return void res.end(JSON.stringify({ dl: `${base}/dl` }));
      if (req.url === '/index/th/et/theta') {
        const line = { name: 'theta', vers: '1.0.0', deps: [], cksum: sha(served), features: {}, yanked: false };
        return void res.end(`${JSON.stringify(line)}\n`);
      }
      if (req.url === '/dl/theta/1.0.0/download') return void res.end(served);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    try {
      const h = await createFormatHarness({ format: cargoFormat() });
      harnesses.push(h);
      const port = (upstream.address() as AddressInfo).port;
      await h.createRepo({
        name: 'c',
        repo_type: 'cache',
        upstream_url: `http://127.0.0.1:${port}/index/`,
        cache_ttl_secs: 0,
      });
      const cksum = async () =>
        (
          JSON.parse((await h.request({ method: 'GET', repo: 'c', path: 'index/th/et/theta' })).text()) as {
            cksum: string;
          }
        ).cksum;
      expect(await cksum()).toBe(sha(first));
      const dl = () => h.request({ method: 'GET', repo: 'c', path: 'api/v1/crates/theta/1.0.0/download' });
      expect((await dl()).body.equals(first)).toBe(true);
      served = swapped;
      // The index keeps announcing the held crate's cksum, and the held crate is what downloads.
      expect(await cksum()).toBe(sha(first));
      const again = await dl();
      expect([again.status, again.body.equals(first)]).toEqual([200, true]);
      await new Promise((r) => setTimeout(r, 10));
      expect(await listIntegrityEvents(h.kv, 'c')).toEqual([
        expect.objectContaining({
          format: 'cargo',
          subject: 'theta 1.0.0',
          pinned: { sha256: sha(first) },
          upstream: { sha256: sha(swapped) },
        }),
      ]);
    } finally {
      upstream.closeAllConnections();
      await new Promise<void>((r) => upstream.close(() => r()));
    }
  });

  it('cooldown: versions whose index pubtime is within cooldown_secs are left out of the index and refused (403)', async () => {
    const old = crateFile('iota', '1.0.0');
    const fresh = crateFile('iota', '1.1.0');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const line = (vers: string, bytes: Buffer, ageMs: number) =>
      JSON.stringify({
        name: 'iota',
        vers,
        deps: [],
        cksum: sha(bytes),
        features: {},
        yanked: false,
        pubtime: new Date(Date.now() - ageMs).toISOString().replace(/\.\d+Z$/, 'Z'),
      });
    const upstream = createServer((req, res) => {
      const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      if (req.url === '/index/config.json') return void res.end(JSON.stringify({ dl: `${base}/dl` }));
      if (req.url === '/index/io/ta/iota') {
        return void res.end(`${line('1.0.0', old, 40 * 86_400_000)}\n${line('1.1.0', fresh, 3_600_000)}\n`);
      }
      if (req.url === '/dl/iota/1.0.0/download') return void res.end(old);
      if (req.url === '/dl/iota/1.1.0/download') return void res.end(fresh);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    try {
      const h = await createFormatHarness({ format: cargoFormat() });
      harnesses.push(h);
      const index = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/index/`;
      await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: index, cooldown_secs: 7 * 86_400 });
      await h.createRepo({
        name: 'open',
        repo_type: 'cache',
        upstream_url: index,
        cooldown_secs: 7 * 86_400,
        cooldown_allow: ['io*'],
      });
      const versions = async (repo: string) =>
        (await h.request({ method: 'GET', repo, path: 'index/io/ta/iota' }))
          .text()
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { vers: string }).vers);
      expect(await versions('c')).toEqual(['1.0.0']);
      const refused = await h.request({ method: 'GET', repo: 'c', path: 'api/v1/crates/iota/1.1.0/download' });
      expect(refused.status).toBe(403);
      expect(refused.text()).toContain('cooldown');
      expect((await h.request({ method: 'GET', repo: 'c', path: 'api/v1/crates/iota/1.0.0/download' })).status).toBe(
        200,
      );
      expect(await versions('open')).toEqual(['1.0.0', '1.1.0']);
    } finally {
      upstream.closeAllConnections();
      await new Promise<void>((r) => upstream.close(() => r()));
    }
  });
});
