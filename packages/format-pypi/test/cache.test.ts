import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listIntegrityEvents } from '@depot/core';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { pypiFormat } from '../src/index.js';
import { makeWheel } from './fixtures.js';
import { type JsonPage, jsonPage, pathFromPageUrl } from './helpers.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
let h: FormatHarness;
let server: Server | undefined;
afterEach(async () => {
  await h?.close();
  await new Promise((r) => (server === undefined ? r(undefined) : server.close(r)));
  server = undefined;
});

/** A static PEP 503 index: `routes` maps a URL path to [content type, body]. */
async function staticIndex(
  routes: Map<string, [string, Uint8Array | string]>,
): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const listening = createServer((req, res) => {
    hits.push(req.url ?? '');
    const found = routes.get(req.url ?? '');
    if (found === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': found[0] }).end(found[1]);
  });
  server = listening;
  await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`, hits };
}

describe('pypi cache of a static PEP 503 index', () => {
  it('rewrites relative and absolute links, verifies sha256, serves .metadata, and the page when the upstream is gone', async () => {
    const a = makeWheel('alpha', '1.0');
    const b = makeWheel('alpha', '2.0');
    const meta = 'Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\n';
    const routes = new Map<string, [string, Uint8Array | string]>();
    const up = await staticIndex(routes);
    routes.set('/simple/', ['text/html', '<html><body><a href="alpha/">alpha</a></body></html>']);
    routes.set('/simple/alpha/', [
      'text/html',
      `<html><body>
<a href="../../files/${a.filename}#sha256=${sha256(a.bytes)}" data-requires-python="&gt;=3.7" data-dist-info-metadata="sha256=${sha256(Buffer.from(meta))}">${a.filename}</a>
<a href="${up.url}/elsewhere/${b.filename}#sha256=${sha256(b.bytes)}" data-yanked="">${b.filename}</a>
</body></html>`,
    ]);
    routes.set(`/files/${a.filename}`, ['application/octet-stream', a.bytes]);
    routes.set(`/files/${a.filename}.metadata`, ['application/octet-stream', meta]);
    routes.set(`/elsewhere/${b.filename}`, ['application/octet-stream', b.bytes]);
    h = await createFormatHarness({ format: pypiFormat() });
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: `${up.url}/simple/`, cache_ttl_secs: 0 });

    const page = (await jsonPage(h, 'c', 'alpha')).json<JsonPage>();
    const [fa, fb] = page.files;
    expect(fa).toMatchObject({ filename: a.filename, 'requires-python': '>=3.7', yanked: false });
    expect(fb).toMatchObject({ filename: b.filename, yanked: true });
    for (const f of page.files) expect(f.url.startsWith('../../files/alpha/http/127.0.0.1')).toBe(true);
    const got = await h.request({ method: 'GET', repo: 'c', path: pathFromPageUrl(fa?.url ?? '') });
    expect(got.status).toBe(200);
    expect(got.body.equals(a.bytes)).toBe(true);
    expect(
      (await h.request({ method: 'GET', repo: 'c', path: pathFromPageUrl(fb?.url ?? '') })).body.equals(b.bytes),
    ).toBe(true);
    const md = await h.request({ method: 'GET', repo: 'c', path: `${pathFromPageUrl(fa?.url ?? '')}.metadata` });
    expect(md.text()).toBe(meta);
    const list = await h.request({ method: 'GET', repo: 'c', path: 'simple/' });
    expect(list.text()).toContain('href="alpha/"');

    // The upstream goes away: the page copy is served stale, the fetched files locally.
    await new Promise((r) => server?.close(r));
    server = undefined;
    const stale = await h.request({ method: 'GET', repo: 'c', path: 'simple/alpha/' });
    expect(stale.status).toBe(200);
    expect(stale.text()).toContain(a.filename);
    expect(
      (await h.request({ method: 'GET', repo: 'c', path: pathFromPageUrl(fa?.url ?? '') })).body.equals(a.bytes),
    ).toBe(true);
  });

  it('a file whose bytes do not match the announced sha256 is refused and not stored; unlisted files are 404', async () => {
    const a = makeWheel('beta', '1.0');
    const routes = new Map<string, [string, Uint8Array | string]>();
    const up = await staticIndex(routes);
    routes.set('/simple/beta/', ['text/html', `<a href="/f/${a.filename}#sha256=${'0'.repeat(64)}">x</a>`]);
    routes.set(`/f/${a.filename}`, ['application/octet-stream', a.bytes]);
    h = await createFormatHarness({ format: pypiFormat() });
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: `${up.url}/simple/`, cache_ttl_secs: 3600 });
    const page = (await jsonPage(h, 'c', 'beta')).json<JsonPage>();
    const path = pathFromPageUrl(page.files[0]?.url ?? '');
    const res = await h.request({ method: 'GET', repo: 'c', path });
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ error: { code: 'UPSTREAM_ERROR' } });
    expect(await h.engine.stat('c', path)).toBeNull();
    // A file the page does not list is never fetched (no open proxy through the cache).
    const before = up.hits.length;
    const other = await h.request({
      method: 'GET',
      repo: 'c',
      path: 'files/beta/http/169.254.169.254/latest/meta-data',
    });
    expect(other.status).toBe(404);
    expect(up.hits.length).toBe(before);
  });

  it('reads a PEP 691 JSON upstream with relative URLs', async () => {
    const a = makeWheel('gamma', '1.0');
    const routes = new Map<string, [string, Uint8Array | string]>();
    const up = await staticIndex(routes);
    routes.set('/simple/gamma/', [
      'application/vnd.pypi.simple.v1+json',
      JSON.stringify({
        meta: { 'api-version': '1.1' },
        name: 'gamma',
        files: [
          {
            filename: a.filename,
            url: `../../pkgs/${a.filename}`,
            hashes: { sha256: sha256(a.bytes) },
            yanked: 'bad',
            size: a.bytes.length,
          },
        ],
      }),
    ]);
    routes.set(`/pkgs/${a.filename}`, ['application/octet-stream', a.bytes]);
    h = await createFormatHarness({ format: pypiFormat() });
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: `${up.url}/simple`, cache_ttl_secs: 3600 });
    const page = (await jsonPage(h, 'c', 'gamma')).json<JsonPage>();
    expect(page.files[0]).toMatchObject({ yanked: 'bad', size: a.bytes.length });
    const got = await h.request({ method: 'GET', repo: 'c', path: pathFromPageUrl(page.files[0]?.url ?? '') });
    expect(got.body.equals(a.bytes)).toBe(true);
  });

  it('keeps serving the verified copy when the upstream later announces other bytes for a file', async () => {
    const first = makeWheel('delta', '1.0', { variant: 0 });
    const swapped = makeWheel('delta', '1.0', { variant: 1 });
    const routes = new Map<string, [string, Uint8Array | string]>();
    const up = await staticIndex(routes);
    const page = (w: typeof first) => `<a href="/f/${w.filename}#sha256=${sha256(w.bytes)}">x</a>`;
    routes.set('/simple/delta/', ['text/html', page(first)]);
    routes.set(`/f/${first.filename}`, ['application/octet-stream', first.bytes]);
    h = await createFormatHarness({ format: pypiFormat() });
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: `${up.url}/simple/`, cache_ttl_secs: 0 });
    const url = (await jsonPage(h, 'c', 'delta')).json<JsonPage>().files[0]?.url ?? '';
    expect((await h.request({ method: 'GET', repo: 'c', path: pathFromPageUrl(url) })).body.equals(first.bytes)).toBe(
      true,
    );
    routes.set('/simple/delta/', ['text/html', page(swapped)]);
    routes.set(`/f/${first.filename}`, ['application/octet-stream', swapped.bytes]);
    // The revalidated page announces the held digest, so pip keeps installing what it verified first.
    const announced = (await jsonPage(h, 'c', 'delta')).json<JsonPage>().files[0]?.hashes;
    expect(announced).toEqual({ sha256: sha256(first.bytes) });
    const again = await h.request({ method: 'GET', repo: 'c', path: pathFromPageUrl(url) });
    expect(again.status).toBe(200);
    expect(again.body.equals(first.bytes)).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(await listIntegrityEvents(h.kv, 'c')).toEqual([
      expect.objectContaining({
        format: 'pypi',
        subject: first.filename,
        pinned: { sha256: sha256(first.bytes) },
        upstream: { sha256: sha256(swapped.bytes) },
      }),
    ]);
  });

  it('cooldown: files uploaded less than cooldown_secs ago are left off the page and refused (403); allow-listed projects pass', async () => {
    const old = makeWheel('epsilon', '1.0');
    const fresh = makeWheel('epsilon', '1.1');
    const routes = new Map<string, [string, Uint8Array | string]>();
    const up = await staticIndex(routes);
    const entry = (w: typeof old, ageMs: number) => ({
      filename: w.filename,
      url: `../../pkgs/${w.filename}`,
      hashes: { sha256: sha256(w.bytes) },
      'upload-time': new Date(Date.now() - ageMs).toISOString(),
    });
    routes.set('/simple/epsilon/', [
      'application/vnd.pypi.simple.v1+json',
      JSON.stringify({
        meta: { 'api-version': '1.1' },
        name: 'epsilon',
        files: [entry(old, 30 * 86_400_000), entry(fresh, 60_000)],
      }),
    ]);
    routes.set(`/pkgs/${old.filename}`, ['application/octet-stream', old.bytes]);
    routes.set(`/pkgs/${fresh.filename}`, ['application/octet-stream', fresh.bytes]);
    h = await createFormatHarness({ format: pypiFormat() });
    await h.createRepo({ name: 'c', repo_type: 'cache', upstream_url: `${up.url}/simple/`, cooldown_secs: 7 * 86_400 });
    await h.createRepo({
      name: 'trusted',
      repo_type: 'cache',
      upstream_url: `${up.url}/simple/`,
      cooldown_secs: 7 * 86_400,
      cooldown_allow: ['epsilon'],
    });
    const files = (await jsonPage(h, 'c', 'epsilon')).json<JsonPage>().files;
    expect(files.map((f) => f.filename)).toEqual([old.filename]);
    const freshPath = `files/epsilon/http/${up.url.replace('http://', '')}/pkgs/${fresh.filename}`;
    const refused = await h.request({ method: 'GET', repo: 'c', path: freshPath });
    expect(refused.status).toBe(403);
    expect(refused.text()).toContain('cooldown');
    expect(up.hits).not.toContain(`/pkgs/${fresh.filename}`);
    const trusted = (await jsonPage(h, 'trusted', 'epsilon')).json<JsonPage>().files;
    expect(trusted.map((f) => f.filename).sort()).toEqual([old.filename, fresh.filename].sort());
    expect((await h.request({ method: 'GET', repo: 'trusted', path: freshPath })).status).toBe(200);
  });
});
