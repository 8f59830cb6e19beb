import { createHash } from 'node:crypto';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helmFormat } from '../src/index.js';
import { fetchIndex, type IndexJson } from './client.js';
import { chartTgz, multipart, provFile } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: helmFormat() });
  await h.createRepo({ name: 'charts' });
});
afterEach(() => h.close());

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const put = (path: string, body: Uint8Array | string, repo = 'charts') =>
  h.request({ method: 'PUT', repo, path, body });

/** `helm cm-push` as it sends: POST {repo}/api/charts, multipart `chart` (+ `prov`), `?force` with --force. */
function cmPush(chart: Uint8Array, file: string, options: { prov?: string; force?: boolean; repo?: string } = {}) {
  const form = multipart([
    { field: 'chart', filename: file, body: chart },
    ...(options.prov === undefined ? [] : [{ field: 'prov', filename: `${file}.prov`, body: options.prov }]),
  ]);
  return h.request({
    method: 'POST',
    repo: options.repo ?? 'charts',
    path: 'api/charts',
    ...(options.force === true ? { query: 'force' } : {}),
    headers: { 'content-type': form.contentType },
    body: form.body,
  });
}

describe('hosted index.yaml', () => {
  it('lists every version with digest, created, relative URL and the Chart.yaml fields', async () => {
    const extra =
      'appVersion: "2.1"\nkeywords: [web]\nmaintainers:\n- name: Ann\nannotations:\n  category: Web\ndeprecated: true\nkubeVersion: ">=1.25"\n';
    const a = chartTgz('web', '1.0.0', 0, extra);
    const b = chartTgz('web', '1.10.0');
    expect((await put('web-1.0.0.tgz', a)).status).toBe(201);
    expect((await put('web-1.10.0.tgz', b)).status).toBe(201);
    const index = await fetchIndex(h, 'charts');
    expect(index.apiVersion).toBe('v1');
    expect(index.entries.web?.map((e) => e.version)).toEqual(['1.10.0', '1.0.0']);
    expect(index.entries.web?.[1]).toMatchObject({
      apiVersion: 'v2',
      name: 'web',
      version: '1.0.0',
      appVersion: '2.1',
      description: 'test chart web',
      type: 'application',
      keywords: ['web'],
      maintainers: [{ name: 'Ann' }],
      annotations: { category: 'Web' },
      deprecated: true,
      kubeVersion: '>=1.25',
      urls: ['web-1.0.0.tgz'],
      digest: sha256(a),
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('is visible to the very next read after a publish and after a delete', async () => {
    await put('web-1.0.0.tgz', chartTgz('web', '1.0.0'));
    expect(Object.keys((await fetchIndex(h, 'charts')).entries)).toEqual(['web']);
    await put('api-0.1.0.tgz', chartTgz('api', '0.1.0'));
    expect(Object.keys((await fetchIndex(h, 'charts')).entries)).toEqual(['api', 'web']);
    expect((await h.request({ method: 'DELETE', repo: 'charts', path: 'web-1.0.0.tgz' })).status).toBe(204);
    expect(Object.keys((await fetchIndex(h, 'charts')).entries)).toEqual(['api']);
  });

  it('lists absolute URLs when the repository is configured so', async () => {
    await h.createRepo({ name: 'abs', format_options: { absolute_urls: true } });
    await put('web-1.0.0.tgz', chartTgz('web', '1.0.0'), 'abs');
    const index = await fetchIndex(h, 'abs');
    expect(index.entries.web?.[0]?.urls).toEqual(['http://depot.test/repository/abs/web-1.0.0.tgz']);
  });

  it('refuses unknown repository options', async () => {
    await expect(h.createRepo({ name: 'bad', format_options: { absolute_url: true } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('rebuilds a chart record lost between the artifact write and the record write', async () => {
    const tgz = chartTgz('web', '1.0.0');
    // The artifact alone, as a crash right after the blob commit would leave it.
    await h.engine.put('charts', 'web-1.0.0.tgz', tgz, { algorithms: ['sha256'] });
    await put('api-0.1.0.tgz', chartTgz('api', '0.1.0'));
    const index = await fetchIndex(h, 'charts');
    expect(index.entries.web?.[0]).toMatchObject({ version: '1.0.0', digest: sha256(tgz) });
  });
});

describe('redeploy', () => {
  it('a second PUT of a version is 409 and keeps the first bytes, unless allow_redeploy', async () => {
    const first = chartTgz('web', '1.0.0', 0);
    await put('web-1.0.0.tgz', first);
    const again = await put('web-1.0.0.tgz', chartTgz('web', '1.0.0', 1));
    expect(again.status).toBe(409);
    expect(again.json<{ code: string }>().code).toBe('CONFLICT');
    expect((await fetchIndex(h, 'charts')).entries.web?.[0]?.digest).toBe(sha256(first));

    await h.createRepo({ name: 'mutable', format_options: { allow_redeploy: true } });
    await put('web-1.0.0.tgz', first, 'mutable');
    const second = chartTgz('web', '1.0.0', 1);
    expect((await put('web-1.0.0.tgz', second, 'mutable')).status).toBe(201);
    expect((await fetchIndex(h, 'mutable')).entries.web?.[0]?.digest).toBe(sha256(second));
  });
});

describe('concurrent uploads', () => {
  it('two uploads of one version at once: one 201, one 409, and the index names the stored bytes', async () => {
    const a = chartTgz('web', '1.0.0', 0);
    const b = chartTgz('web', '1.0.0', 1);
    const [ra, rb] = await Promise.all([put('web-1.0.0.tgz', a), put('web-1.0.0.tgz', b)]);
    expect([ra.status, rb.status].sort()).toEqual([201, 409]);
    const stored = await h.request({ method: 'GET', repo: 'charts', path: 'web-1.0.0.tgz' });
    expect((await fetchIndex(h, 'charts')).entries.web?.[0]?.digest).toBe(sha256(stored.body));
    expect(sha256(stored.body)).toBe(ra.status === 201 ? sha256(a) : sha256(b));
  });

  it('twenty different versions uploaded at once are all in the next index', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => `1.${i}.0`);
    const results = await Promise.all(versions.map((v) => put(`web-${v}.tgz`, chartTgz('web', v))));
    expect(results.map((r) => r.status)).toEqual(versions.map(() => 201));
    expect((await fetchIndex(h, 'charts')).entries.web).toHaveLength(20);
  });
});

describe('ChartMuseum API', () => {
  it('cm-push stores the chart and its provenance; the API lists, shows and deletes it', async () => {
    const tgz = chartTgz('web', '1.0.0');
    const res = await cmPush(tgz, 'web-1.0.0.tgz', { prov: provFile('web', '1.0.0') });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ saved: true });

    const prov = await h.request({ method: 'GET', repo: 'charts', path: 'web-1.0.0.tgz.prov' });
    expect(prov.status).toBe(200);
    expect(prov.text()).toBe(provFile('web', '1.0.0'));

    const all = await h.request({ method: 'GET', repo: 'charts', path: 'api/charts' });
    expect(all.json<IndexJson['entries']>().web?.[0]).toMatchObject({ version: '1.0.0', digest: sha256(tgz) });
    const one = await h.request({ method: 'GET', repo: 'charts', path: 'api/charts/web' });
    expect(one.json<unknown[]>()).toHaveLength(1);
    const version = await h.request({ method: 'GET', repo: 'charts', path: 'api/charts/web/1.0.0' });
    expect(version.json()).toMatchObject({ name: 'web', version: '1.0.0', urls: ['web-1.0.0.tgz'] });
    expect((await h.request({ method: 'GET', repo: 'charts', path: 'api/charts/web/latest' })).status).toBe(200);

    const missing = await h.request({ method: 'GET', repo: 'charts', path: 'api/charts/nope' });
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: expect.any(String), code: 'NOT_FOUND' });

    const del = await h.request({ method: 'DELETE', repo: 'charts', path: 'api/charts/web/1.0.0' });
    expect(del.status).toBe(200);
    expect(del.json()).toEqual({ deleted: true });
    expect(await h.engine.stat('charts', 'web-1.0.0.tgz')).toBeNull();
    expect(await h.engine.stat('charts', 'web-1.0.0.tgz.prov')).toBeNull();
    expect((await fetchIndex(h, 'charts')).entries).toEqual({});
    expect((await h.request({ method: 'DELETE', repo: 'charts', path: 'api/charts/web/1.0.0' })).status).toBe(404);
  });

  it('an existing version is 409 {"error":"file already exists"}; ?force replaces it only where redeploy is allowed', async () => {
    await cmPush(chartTgz('web', '1.0.0', 0), 'web-1.0.0.tgz');
    const dup = await cmPush(chartTgz('web', '1.0.0', 1), 'web-1.0.0.tgz');
    expect(dup.status).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'file already exists', code: 'CONFLICT' });
    expect((await cmPush(chartTgz('web', '1.0.0', 1), 'web-1.0.0.tgz', { force: true })).status).toBe(409);

    await h.createRepo({ name: 'mutable', format_options: { allow_redeploy: true } });
    await cmPush(chartTgz('web', '1.0.0', 0), 'web-1.0.0.tgz', { repo: 'mutable' });
    expect((await cmPush(chartTgz('web', '1.0.0', 1), 'web-1.0.0.tgz', { repo: 'mutable' })).status).toBe(409);
    const forced = chartTgz('web', '1.0.0', 1);
    expect((await cmPush(forced, 'web-1.0.0.tgz', { repo: 'mutable', force: true })).status).toBe(201);
    const index = parse((await h.request({ method: 'GET', repo: 'mutable', path: 'index.yaml' })).text()) as IndexJson;
    expect(index.entries.web?.[0]?.digest).toBe(sha256(forced));
  });

  it('a read-only user cannot push or delete through the API; anonymous gets the Basic challenge', async () => {
    await cmPush(chartTgz('web', '1.0.0'), 'web-1.0.0.tgz');
    const anon = await h.as('anonymous').request({ method: 'DELETE', repo: 'charts', path: 'api/charts/web/1.0.0' });
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Basic realm="depot"');
    expect(await h.engine.stat('charts', 'web-1.0.0.tgz')).not.toBeNull();
  });
});
