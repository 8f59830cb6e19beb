import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goFormat } from '../src/index.js';
import { simpleModule } from './helpers.js';

// A stand-in GOPROXY: example.com/cool has v1.0.0 (published 2026-01-01) and v1.1.0 (2026-03-01);
// the harness clock starts an hour after the second, so a 7-day cooldown hides it.
const M = 'example.com/cool';
let h: FormatHarness;
let upstream: Server;
let clock = 0;
beforeEach(async () => {
  const times: Record<string, string> = { 'v1.0.0': '2026-01-01T00:00:00Z', 'v1.1.0': '2026-03-01T00:00:00Z' };
  clock = Date.parse('2026-03-01T01:00:00Z');
  const info = (v: string) => JSON.stringify({ Version: v, Time: times[v] });
  upstream = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === `/${M}/@v/list`) return void res.end('v1.0.0\nv1.1.0\n');
    if (url === `/${M}/@latest`) return void res.end(info('v1.1.0'));
    const file = /\/@v\/(v[\d.]+)\.(info|mod|zip)$/.exec(url);
    if (file !== null && times[file[1] ?? ''] !== undefined) {
      const [, v = '', ext] = file;
      if (ext === 'info') return void res.end(info(v));
      if (ext === 'mod') return void res.end(`module ${M}\n`);
      return void res.end(simpleModule(M, v));
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  h = await createFormatHarness({ format: goFormat(), now: () => clock });
  await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: url, cooldown_secs: 7 * 86_400 });
  await h.createRepo({
    name: 'open',
    repo_type: 'cache',
    upstream_url: url,
    cooldown_secs: 7 * 86_400,
    cooldown_allow: ['example.com/*'],
  });
  await h.createRepo({ name: 'all', repo_type: 'proxy', members: ['c'] });
});
afterEach(async () => {
  await h.close();
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

const get = (repo: string, path: string) => h.request({ method: 'GET', repo, path });

describe('go cache cooldown', () => {
  it('leaves versions younger than cooldown_secs out of list and @latest, and refuses their .mod and .zip (403)', async () => {
    for (const repo of ['c', 'all']) {
      expect((await get(repo, `${M}/@v/list`)).text()).toBe('v1.0.0\n');
      expect((await get(repo, `${M}/@latest`)).json()).toMatchObject({ Version: 'v1.0.0' });
      for (const ext of ['mod', 'zip']) {
        const refused = await get(repo, `${M}/@v/v1.1.0.${ext}`);
        expect(refused.status, `${repo} ${ext}`).toBe(403);
        expect(refused.text()).toContain('cooldown');
      }
      expect((await get(repo, `${M}/@v/v1.0.0.zip`)).status).toBe(200);
    }
  });

  it('shows the version once the clock passes its cooldown', async () => {
    expect((await get('c', `${M}/@v/list`)).text()).toBe('v1.0.0\n');
    clock = Date.parse('2026-03-08T00:00:01Z');
    expect((await get('c', `${M}/@v/list`)).text()).toBe('v1.0.0\nv1.1.0\n');
    expect((await get('c', `${M}/@latest`)).json()).toMatchObject({ Version: 'v1.1.0' });
    expect((await get('c', `${M}/@v/v1.1.0.zip`)).status).toBe(200);
  });

  it('lets allow-listed modules through', async () => {
    expect((await get('open', `${M}/@v/list`)).text()).toBe('v1.0.0\nv1.1.0\n');
    expect((await get('open', `${M}/@latest`)).json()).toMatchObject({ Version: 'v1.1.0' });
    expect((await get('open', `${M}/@v/v1.1.0.zip`)).status).toBe(200);
  });
});
