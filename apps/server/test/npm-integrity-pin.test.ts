import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from './helpers/depot-process.js';
import { tgz } from './helpers/tarball.js';
import { useDepot } from './helpers/use-depot.js';

/** A package tarball whose index.js says `variant`. */
const variantTgz = (variant: string): Buffer =>
  tgz({
    'package/package.json': JSON.stringify({ name: 'pinned', version: '1.0.0' }),
    'package/index.js': `module.exports = ${JSON.stringify(variant)};\n`,
  });
const sri = (b: Buffer): string => `sha512-${createHash('sha512').update(b).digest('base64')}`;

const depot = useDepot();
let upstream: Server;
/** What the stand-in upstream serves for pinned@1.0.0 right now. */
let served = variantTgz('original');
const original = served;
let auth: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === '/pinned') {
      const dist = {
        tarball: 'http://upstream.invalid/pinned/-/pinned-1.0.0.tgz',
        integrity: sri(served),
        shasum: createHash('sha1').update(served).digest('hex'),
      };
      const doc = {
        name: 'pinned',
        'dist-tags': { latest: '1.0.0' },
        versions: { '1.0.0': { name: 'pinned', version: '1.0.0', dist } },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    } else if (req.url === '/pinned/-/pinned-1.0.0.tgz') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(served);
    } else res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  auth = basicAuth('admin', depot.adminPassword);
  const res = await depot.client.post('/api/v1/repositories', {
    name: 'npm-pin',
    repo_type: 'cache',
    format: 'npm',
    store: 'default',
    upstream_url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`,
    cache_ttl_secs: 0,
  });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
});

const get = (path: string): Promise<Response> =>
  fetch(`${depot.url}/repository/npm-pin/${path}`, { headers: { authorization: auth } });
const integrity = async (): Promise<string | undefined> =>
  ((await (await get('pinned')).json()) as { versions: Record<string, { dist: { integrity?: string } }> }).versions[
    '1.0.0'
  ]?.dist.integrity;

describe('an npm cache repository pins the first-seen integrity of each version', () => {
  it('keeps the pinned integrity when the upstream swaps a tarball; the swapped tarball is refused and not stored', async () => {
    expect(await integrity()).toBe(sri(original));
    served = variantTgz('swapped by the upstream');
    // The upstream now claims the new bytes; the cache keeps showing the first-seen digest.
    expect(await integrity()).toBe(sri(original));
    const swapped = await get('pinned/-/pinned-1.0.0.tgz');
    expect(swapped.status).toBe(502);
    expect(((await swapped.json()) as { code: string }).code).toBe('UPSTREAM_ERROR');
    expect((await get('pinned/-/pinned-1.0.0.tgz')).status).toBe(502);
    const metrics = await (await fetch(`${depot.url}/metrics`)).text();
    expect(metrics).toMatch(/depot_integrity_events_total\{format="npm",repo="npm-pin"\} 1/);
    expect(depot.logs()).toContain('upstream changed the bytes of a published immutable file');
    expect(depot.logs()).toContain('"subject":"pinned@1.0.0"');
    const listed = await fetch(`${depot.url}/api/v1/repositories/npm-pin/integrity-events`, {
      headers: { authorization: auth },
    });
    const { events } = (await listed.json()) as {
      events: { subject: string; format: string; pinned: object; upstream: object }[];
    };
    expect(events).toEqual([
      expect.objectContaining({
        subject: 'pinned@1.0.0',
        format: 'npm',
        pinned: expect.objectContaining({ integrity: sri(original) }),
        upstream: expect.objectContaining({ integrity: sri(served) }),
      }),
    ]);
    // The upstream puts the original back: the cache fills it and serves exactly those bytes.
    served = original;
    const restored = await get('pinned/-/pinned-1.0.0.tgz');
    expect(restored.status).toBe(200);
    expect(Buffer.from(await restored.arrayBuffer()).equals(original)).toBe(true);
  });
});
