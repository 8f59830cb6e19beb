import { createHash } from 'node:crypto';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { pypiFormat } from '../src/index.js';
import { makeSdist, makeWheel } from './fixtures.js';
import { downloadFile, type JsonPage, jsonPage, pathFromPageUrl, upload } from './helpers.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
let h: FormatHarness;

async function hosted(options: Record<string, unknown> = {}): Promise<FormatHarness> {
  h = await createFormatHarness({ format: pypiFormat() });
  await h.createRepo({ name: 'py', format_options: options });
  return h;
}

afterEach(async () => h?.close());

describe('pypi hosted', () => {
  it('serves the simple page as PEP 691 JSON and PEP 503 HTML with hashes, requires-python and metadata', async () => {
    await hosted();
    const wheel = makeWheel('Demo.Pkg', '1.0', { requiresPython: '>=3.8' });
    const sdist = makeSdist('Demo.Pkg', '1.0');
    expect((await upload(h, 'py', wheel, 'Demo.Pkg', '1.0')).status).toBe(200);
    expect((await upload(h, 'py', sdist, 'Demo.Pkg', '1.0')).status).toBe(200);

    const json = await jsonPage(h, 'py', 'demo-pkg');
    expect(json.headers['content-type']).toContain('application/vnd.pypi.simple.v1+json');
    const page = json.json<JsonPage>();
    expect(page.meta['api-version']).toBe('1.1');
    expect(page.name).toBe('Demo.Pkg');
    expect(page.versions).toEqual(['1.0']);
    const whl = page.files.find((f) => f.filename === wheel.filename);
    expect(whl).toMatchObject({
      hashes: { sha256: sha256(wheel.bytes) },
      'requires-python': '>=3.8',
      yanked: false,
      size: wheel.bytes.length,
    });
    expect(whl?.['core-metadata']).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // PEP 714: the old key is not served in JSON (pip 22.3-23.1 crash on it).
    expect(whl).not.toHaveProperty('dist-info-metadata');
    expect(page.files.find((f) => f.filename === sdist.filename)?.['core-metadata']).toBe(false);

    const metadata = await h.request({
      method: 'GET',
      repo: 'py',
      path: `${pathFromPageUrl(whl?.url ?? '')}.metadata`,
    });
    expect(metadata.status).toBe(200);
    expect(metadata.text()).toContain('Name: Demo.Pkg');
    expect(sha256(metadata.body)).toBe((whl?.['core-metadata'] as { sha256: string } | undefined)?.sha256);

    const html = await h.request({ method: 'GET', repo: 'py', path: 'simple/demo-pkg/' });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text()).toContain(`#sha256=${sha256(wheel.bytes)}`);
    expect(html.text()).toContain('data-requires-python="&gt;=3.8"');
    expect(html.text()).toContain('data-core-metadata="sha256=');
    expect(html.headers.vary).toBe('Accept');

    // Another spelling redirects to the normalized page; the list names the project.
    const other = await h.request({ method: 'GET', repo: 'py', path: 'simple/Demo_Pkg/' });
    expect(other.status).toBe(301);
    expect(other.headers.location).toMatch(/\/repository\/py\/simple\/demo-pkg\/$/);
    const index = await h.request({
      method: 'GET',
      repo: 'py',
      path: 'simple/',
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    });
    expect(index.json()).toMatchObject({ projects: [{ name: 'Demo.Pkg' }] });
    expect((await downloadFile(h, 'py', 'demo-pkg', sdist.filename)).body.equals(sdist.bytes)).toBe(true);
  });

  it('gives each page form a strong ETag: 304 while unchanged, a new ETag after an upload', async () => {
    await hosted();
    expect((await upload(h, 'py', makeWheel('tagged', '1.0'), 'tagged', '1.0')).status).toBe(200);
    const first = await jsonPage(h, 'py', 'tagged');
    const etag = first.headers.etag ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const html = await h.request({ method: 'GET', repo: 'py', path: 'simple/tagged/' });
    expect(html.headers.etag).not.toBe(etag);
    const again = await h.request({
      method: 'GET',
      repo: 'py',
      path: 'simple/tagged/',
      headers: { accept: 'application/vnd.pypi.simple.v1+json', 'if-none-match': `"other", W/${etag}` },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await upload(h, 'py', makeWheel('tagged', '2.0'), 'tagged', '2.0')).status).toBe(200);
    const changed = await h.request({
      method: 'GET',
      repo: 'py',
      path: 'simple/tagged/',
      headers: { accept: 'application/vnd.pypi.simple.v1+json', 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json<JsonPage>().versions).toEqual(['1.0', '2.0']);
  });

  it('yanks and un-yanks a release (PEP 592); JSON API reflects it; needs delete', async () => {
    await hosted();
    for (const v of ['1.0', '2.0']) expect((await upload(h, 'py', makeWheel('yanky', v), 'yanky', v)).status).toBe(200);
    expect((await h.as('reader').request({ method: 'PUT', repo: 'py', path: 'pypi/yanky/2.0/yank' })).status).toBe(403);
    const yank = await h.request({
      method: 'PUT',
      repo: 'py',
      path: 'pypi/yanky/2.0/yank',
      body: JSON.stringify({ reason: 'broken' }),
    });
    expect(yank.status).toBe(200);
    const page = (await jsonPage(h, 'py', 'yanky')).json<JsonPage>();
    expect(page.files.find((f) => f.filename.includes('2.0'))?.yanked).toBe('broken');
    const html = (await h.request({ method: 'GET', repo: 'py', path: 'simple/yanky/' })).text();
    expect(html).toContain('data-yanked="broken"');
    const api = (await h.request({ method: 'GET', repo: 'py', path: 'pypi/yanky/json' })).json<{
      info: { version: string };
      releases: Record<string, { yanked: boolean; yanked_reason: string | null }[]>;
    }>();
    expect(api.info.version).toBe('1.0');
    expect(api.releases['2.0']?.[0]).toMatchObject({ yanked: true, yanked_reason: 'broken' });
    expect((await h.request({ method: 'DELETE', repo: 'py', path: 'pypi/yanky/2.0/yank' })).status).toBe(200);
    expect((await jsonPage(h, 'py', 'yanky')).json<JsonPage>().files.every((f) => f.yanked === false)).toBe(true);
    const one = await h.request({ method: 'GET', repo: 'py', path: 'pypi/yanky/2.0/json' });
    expect(one.json()).toMatchObject({
      info: { version: '2.0', name: 'yanky' },
      urls: [{ packagetype: 'bdist_wheel' }],
    });
  });

  it('deletes one file, then a release; the last one removes the project', async () => {
    await hosted();
    const wheel = makeWheel('gone', '1.0');
    const sdist = makeSdist('gone', '1.0');
    await upload(h, 'py', wheel, 'gone', '1.0');
    await upload(h, 'py', sdist, 'gone', '1.0');
    const del = await h.request({ method: 'DELETE', repo: 'py', path: `pypi/gone/1.0/${sdist.filename}` });
    expect(del.status).toBe(200);
    expect((await jsonPage(h, 'py', 'gone')).json<JsonPage>().files.map((f) => f.filename)).toEqual([wheel.filename]);
    expect((await h.request({ method: 'DELETE', repo: 'py', path: 'pypi/gone/1.0' })).status).toBe(200);
    expect((await jsonPage(h, 'py', 'gone')).status).toBe(404);
    expect((await h.engine.list('py')).artifacts).toEqual([]);
    const index = await h.request({
      method: 'GET',
      repo: 'py',
      path: 'simple/',
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    });
    expect(index.json()).toMatchObject({ projects: [] });
  });

  it('a second upload of one file name is 400 unless the repository allows redeploy', async () => {
    await hosted({ allow_redeploy: true });
    expect((await upload(h, 'py', makeWheel('re', '1.0', { variant: 0 }), 're', '1.0')).status).toBe(200);
    const second = makeWheel('re', '1.0', { variant: 1 });
    expect((await upload(h, 'py', second, 're', '1.0')).status).toBe(200);
    expect((await downloadFile(h, 'py', 're', second.filename)).body.equals(second.bytes)).toBe(true);
  });
});

describe('pypi hosted: deletes through the admin API', () => {
  it('removeArtifact of a distribution file takes it off the simple page first', async () => {
    await hosted();
    const one = makeWheel('Bulk.Gone', '1.0');
    const two = makeWheel('Bulk.Gone', '2.0');
    expect((await upload(h, 'py', one, 'Bulk.Gone', '1.0')).status).toBe(200);
    expect((await upload(h, 'py', two, 'Bulk.Gone', '2.0')).status).toBe(200);
    const path = pathFromPageUrl(
      (await jsonPage(h, 'py', 'bulk-gone')).json<JsonPage>().files.find((f) => f.filename === two.filename)?.url ?? '',
    );
    const repo = await h.engine.getRepository('py');
    expect(await h.runtime.removeArtifact?.(repo, path)).toBe(true);
    const page = (await jsonPage(h, 'py', 'bulk-gone')).json<JsonPage>();
    expect(page.files.map((f) => f.filename)).toEqual([one.filename]);
    expect((await h.request({ method: 'GET', repo: 'py', path })).status).toBe(404);
  });
});
