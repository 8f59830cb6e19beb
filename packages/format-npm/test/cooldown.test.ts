import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { packageTgz, sha1, sri } from './helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

const DAY = 86_400_000;

/** An upstream with `fresh` 1.0.0 (ten days old), 1.1.0 (an hour old, `latest`) and 2.0.0-rc.1 (an hour old, `next`). */
async function upstream(): Promise<string> {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const versions = ['1.0.0', '1.1.0', '2.0.0-rc.1'];
  const tgz = Object.fromEntries(versions.map((v) => [v, packageTgz('fresh', v)]));
  const packument = {
    name: 'fresh',
    'dist-tags': { latest: '1.1.0', next: '2.0.0-rc.1' },
    versions: Object.fromEntries(
      versions.map((v) => [
        v,
        {
          name: 'fresh',
          version: v,
          dist: {
            tarball: `http://x.invalid/fresh/-/fresh-${v}.tgz`,
            integrity: sri(tgz[v] as Uint8Array),
            shasum: sha1(tgz[v] as Uint8Array),
          },
        },
      ]),
    ),
    time: {
      created: ago(10 * DAY),
      modified: ago(3_600_000),
      '1.0.0': ago(10 * DAY),
      '1.1.0': ago(3_600_000),
      '2.0.0-rc.1': ago(3_600_000),
    },
  };
  const server: Server = createServer((req, res) => {
    const file = /^\/fresh\/-\/fresh-(.+)\.tgz$/.exec(req.url ?? '');
    if (req.url === '/fresh') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    else if (file !== null && tgz[file[1] ?? ''] !== undefined) res.writeHead(200).end(tgz[file[1] ?? '']);
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function cache(extra: Record<string, unknown>): Promise<FormatHarness> {
  const h = await createFormatHarness({ format: npmFormat() });
  open.push(h);
  await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: await upstream(), ...extra });
  return h;
}

interface Doc {
  'dist-tags': Record<string, string>;
  versions: Record<string, unknown>;
  time: Record<string, string>;
}

describe('npm cache cooldown', () => {
  it('hides versions published less than cooldown_secs ago, moves latest back, and refuses their tarballs', async () => {
    const h = await cache({ cooldown_secs: 2 * 86_400 });
    const doc = (await h.request({ method: 'GET', repo: 'c', path: 'fresh' })).json<Doc>();
    expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(Object.keys(doc.time)).not.toContain('1.1.0');
    const refused = await h.request({ method: 'GET', repo: 'c', path: 'fresh/-/fresh-1.1.0.tgz' });
    expect(refused.status).toBe(403);
    expect(refused.text()).toContain('cooldown');
    expect((await h.request({ method: 'GET', repo: 'c', path: 'fresh/-/fresh-1.0.0.tgz' })).status).toBe(200);
  });

  it('lets allow-listed packages through, and shows everything without a cooldown', async () => {
    for (const extra of [{ cooldown_secs: 2 * 86_400, cooldown_allow: ['fre*'] }, {}]) {
      const h = await cache(extra);
      const doc = (await h.request({ method: 'GET', repo: 'c', path: 'fresh' })).json<Doc>();
      expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', '1.1.0', '2.0.0-rc.1']);
      expect(doc['dist-tags'].latest).toBe('1.1.0');
      expect((await h.request({ method: 'GET', repo: 'c', path: 'fresh/-/fresh-1.1.0.tgz' })).status).toBe(200);
    }
  });
});
