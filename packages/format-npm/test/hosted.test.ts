import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { getPackument, type PackumentJson, packageTgz, publish, tarballRepoPath } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: npmFormat() });
  await h.createRepo({ name: 'npm-hosted' });
});
afterEach(() => h.close());

describe('npm hosted: publish and read', () => {
  it('publishes unscoped and scoped packages and serves the packument with absolute tarball URLs', async () => {
    expect((await publish(h, 'npm-hosted', 'left-pad', '1.0.0')).status).toBe(201);
    expect((await publish(h, 'npm-hosted', '@acme/util', '2.0.0')).status).toBe(201);
    const doc = (await getPackument(h, 'npm-hosted', 'left-pad')).json<PackumentJson>();
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
    expect(doc.versions['1.0.0']?.dist.tarball).toBe(
      'http://depot.test/repository/npm-hosted/left-pad/-/left-pad-1.0.0.tgz',
    );
    const scoped = await h.request({ method: 'GET', repo: 'npm-hosted', path: '@acme%2futil' });
    expect(scoped.status).toBe(200);
    const url = scoped.json<PackumentJson>().versions['2.0.0']?.dist.tarball ?? '';
    expect(url).toBe('http://depot.test/repository/npm-hosted/@acme/util/-/util-2.0.0.tgz');
    const tgz = await h.request({ method: 'GET', repo: 'npm-hosted', path: tarballRepoPath(url, 'npm-hosted') });
    expect(tgz.status).toBe(200);
    expect(tgz.headers['content-type']).toBe('application/octet-stream');
    expect(new Uint8Array(tgz.body)).toEqual(packageTgz('@acme/util', '2.0.0'));
  });

  it('serves abbreviated metadata for npm install', async () => {
    const manifest = { dependencies: { x: '^1' }, scripts: { test: 'x' } };
    await publish(h, 'npm-hosted', 'dep', '1.0.0', { manifest, tgz: packageTgz('dep', '1.0.0', 0, manifest) });
    const res = await h.request({
      method: 'GET',
      repo: 'npm-hosted',
      path: 'dep',
      headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' },
    });
    expect(res.headers['content-type']).toBe('application/vnd.npm.install-v1+json');
    const doc = res.json<{ name: string; modified: string; versions: Record<string, Record<string, unknown>> }>();
    expect(doc.name).toBe('dep');
    expect(typeof doc.modified).toBe('string');
    expect(doc.versions['1.0.0']).toMatchObject({ name: 'dep', version: '1.0.0', dependencies: { x: '^1' } });
    expect(doc.versions['1.0.0']?.scripts).toBeUndefined();
    expect(doc.versions['1.0.0']?.description).toBeUndefined();
  });

  it('answers If-None-Match with 304 and HEAD without a body', async () => {
    await publish(h, 'npm-hosted', 'etagged', '1.0.0');
    const first = await getPackument(h, 'npm-hosted', 'etagged');
    const etag = first.headers.etag ?? '';
    expect(etag).toMatch(/^".+"$/);
    const again = await h.request({
      method: 'GET',
      repo: 'npm-hosted',
      path: 'etagged',
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    const head = await h.request({ method: 'HEAD', repo: 'npm-hosted', path: 'etagged/-/etagged-1.0.0.tgz' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(packageTgz('etagged', '1.0.0').byteLength);
    const tgzEtag = head.headers.etag ?? '';
    const cached = await h.request({
      method: 'GET',
      repo: 'npm-hosted',
      path: 'etagged/-/etagged-1.0.0.tgz',
      headers: { 'if-none-match': tgzEtag },
    });
    expect(cached.status).toBe(304);
  });

  it('refuses to publish over an existing version (403) and keeps the first bytes', async () => {
    await publish(h, 'npm-hosted', 'once', '1.0.0', { variant: 1 });
    const again = await publish(h, 'npm-hosted', 'once', '1.0.0', { variant: 2 });
    expect(again.status).toBe(403);
    expect(again.json<{ error: string }>().error).toMatch(/previously published/);
    const tgz = await h.request({ method: 'GET', repo: 'npm-hosted', path: 'once/-/once-1.0.0.tgz' });
    expect(new Uint8Array(tgz.body)).toEqual(packageTgz('once', '1.0.0', 1));
  });

  it('honours --tag and keeps latest; lands concurrent publishes of two versions', async () => {
    await publish(h, 'npm-hosted', 'tagged', '1.0.0');
    await publish(h, 'npm-hosted', 'tagged', '2.0.0-beta.1', { tag: 'next' });
    let doc = (await getPackument(h, 'npm-hosted', 'tagged')).json<PackumentJson>();
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0', next: '2.0.0-beta.1' });
    const results = await Promise.all(
      ['1.1.0', '1.2.0', '1.3.0', '1.4.0'].map((v) => publish(h, 'npm-hosted', 'tagged', v)),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    doc = (await getPackument(h, 'npm-hosted', 'tagged')).json<PackumentJson>();
    expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '2.0.0-beta.1']);
  });

  it('answers unknown packages, versions and tarballs with 404 in npm shape; ping', async () => {
    for (const path of ['nope', 'nope/-/nope-1.0.0.tgz', '@x%2fnope']) {
      const res = await h.request({ method: 'GET', repo: 'npm-hosted', path });
      expect(res.status).toBe(404);
      expect(res.json<{ error: string }>()).toEqual({ error: expect.any(String), code: expect.any(String) });
    }
    const ping = await h.request({ method: 'GET', repo: 'npm-hosted', path: '-/ping' });
    expect([ping.status, ping.json()]).toEqual([200, {}]);
    await publish(h, 'npm-hosted', 'versioned', '1.0.0');
    const one = await h.request({ method: 'GET', repo: 'npm-hosted', path: 'versioned/latest' });
    expect(one.json<{ version: string }>().version).toBe('1.0.0');
  });
});

describe('npm hosted: deletes through the admin API', () => {
  it('removeArtifact of a tarball unpublishes its version; latest moves to what is left', async () => {
    for (const v of ['1.0.0', '1.1.0']) expect((await publish(h, 'npm-hosted', 'gone-soon', v)).status).toBe(201);
    const repo = await h.engine.getRepository('npm-hosted');
    expect(await h.runtime.removeArtifact?.(repo, 'gone-soon/-/gone-soon-1.1.0.tgz')).toBe(true);
    const doc = (await getPackument(h, 'npm-hosted', 'gone-soon')).json<PackumentJson>();
    expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
    const tgz = await h.request({ method: 'GET', repo: 'npm-hosted', path: 'gone-soon/-/gone-soon-1.1.0.tgz' });
    expect(tgz.status).toBe(404);
  });
});
