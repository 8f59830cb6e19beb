import type { FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerFormat } from '../src/index.js';
import { dockerHarness, expectOci, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage } from './support.js';

let h: FormatHarness;
afterEach(async () => h?.close());

describe('tags, catalog, referrers, ranges, token', () => {
  it('tags/list paginates with n/last and a Link header', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'a');
    for (const t of ['c', 'b', 'd']) {
      await h.mount({
        method: 'PUT',
        rawPath: `/v2/hosted/app/manifests/${t}`,
        headers: { 'content-type': OCI_MANIFEST },
        body: img.manifest,
      });
    }
    const all = await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/tags/list' });
    expect(all.json()).toEqual({ name: 'hosted/app', tags: ['a', 'b', 'c', 'd'] });
    const first = await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/tags/list', query: { n: '2' } });
    expect(first.json()).toEqual({ name: 'hosted/app', tags: ['a', 'b'] });
    expect(first.headers.link).toBe('</v2/hosted/app/tags/list?n=2&last=b>; rel="next"');
    const second = await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/tags/list', query: { n: '2', last: 'b' } });
    expect(second.json()).toEqual({ name: 'hosted/app', tags: ['c', 'd'] });
    expect(second.headers.link).toBeUndefined();
    const huge = await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/tags/list', query: { n: '999999999999' } });
    expect(huge.status).toBe(200);
  });

  it('_catalog lists readable repo-qualified images, paginated', async () => {
    h = await dockerHarness();
    await pushImage(h, 'hosted/app', 'v1');
    await pushImage(h, 'hosted/team/tool', 'v1');
    await pushImage(h, 'other/zed', 'v1');
    const all = await h.mount({ method: 'GET', rawPath: '/v2/_catalog' });
    expect(all.json()).toEqual({ repositories: ['hosted/app', 'hosted/team/tool', 'other/zed'] });
    const page = await h.mount({ method: 'GET', rawPath: '/v2/_catalog', query: { n: '1', last: 'hosted/app' } });
    expect(page.json()).toEqual({ repositories: ['hosted/team/tool'] });
    expect(page.headers.link).toContain('last=hosted%2Fteam%2Ftool');
    const onlyOther = { username: 'o', anonymous: false, admin: false, can: (_: string, r: string) => r === 'other' };
    expect((await h.as(onlyOther).mount({ method: 'GET', rawPath: '/v2/_catalog' })).json()).toEqual({
      repositories: ['other/zed'],
    });
  });

  it('referrers: an index of manifests whose subject is the digest, filterable by artifactType', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'v1');
    const empty = { digest: await pushBlob(h, 'hosted/app', '{}'), size: 2 };
    const subject = { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length };
    const referrer = (type: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: type,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/octet-stream', ...empty }],
        subject,
      });
    for (const type of ['application/vnd.example.sig', 'application/vnd.example.sbom']) {
      const body = referrer(type);
      const res = await h.mount({
        method: 'PUT',
        rawPath: '/v2/hosted/app/manifests/x',
        headers: { 'content-type': OCI_MANIFEST },
        body,
      });
      expect(res.status).toBe(201);
      expect(res.headers['oci-subject']).toBe(img.digest);
    }
    const all = await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/referrers/${img.digest}` });
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe(OCI_INDEX);
    const index = all.json<{ manifests: { artifactType: string }[] }>();
    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual([
      'application/vnd.example.sbom',
      'application/vnd.example.sig',
    ]);
    const filtered = await h.mount({
      method: 'GET',
      rawPath: `/v2/hosted/app/referrers/${img.digest}`,
      query: { artifactType: 'application/vnd.example.sig' },
    });
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(filtered.json<{ manifests: unknown[] }>().manifests).toHaveLength(1);
    const none = await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/referrers/${empty.digest}` });
    expect(none.json()).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
  });

  it('blob ranges: 206 with Content-Range, suffix ranges, 416 past the end', async () => {
    h = await dockerHarness();
    const digest = await pushBlob(h, 'hosted/app', '0123456789');
    const get = (range: string) =>
      h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}`, headers: { range } });
    const mid = await get('bytes=2-5');
    expect(mid.status).toBe(206);
    expect(mid.text()).toBe('2345');
    expect(mid.headers['content-range']).toBe('bytes 2-5/10');
    expect((await get('bytes=7-')).text()).toBe('789');
    expect((await get('bytes=-3')).text()).toBe('789');
    const past = await get('bytes=20-30');
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */10');
  });

  it('token endpoint: Basic (GET) and password grant (POST), anonymous without credentials', async () => {
    h = await dockerHarness({ users: { alice: { password: 's3cret', role: 'writer' } } });
    const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    const viaGet = await h
      .as('anonymous')
      .mount({ method: 'GET', rawPath: '/v2/token', headers: { authorization: basic } });
    const tok = viaGet.json<{ token: string; access_token: string; expires_in: number; issued_at: string }>();
    expect(tok.token).toBe(tok.access_token);
    expect(h.auth.principalForToken(tok.token)?.username).toBe('alice');
    expect(tok.expires_in).toBe(3600);
    const form = 'grant_type=password&username=alice&password=s3cret&service=depot';
    const viaPost = await h.as('anonymous').mount({
      method: 'POST',
      rawPath: '/v2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(h.auth.principalForToken(viaPost.json<{ token: string }>().token)?.username).toBe('alice');
    const bad = `Basic ${Buffer.from('alice:nope').toString('base64')}`;
    expectOci(
      await h.as('anonymous').mount({ method: 'GET', rawPath: '/v2/token', headers: { authorization: bad } }),
      401,
      'UNAUTHORIZED',
    );
    const anon = await h.as('anonymous').mount({ method: 'GET', rawPath: '/v2/token' });
    expect(h.auth.principalForToken(anon.json<{ token: string }>().token)?.anonymous).toBe(true);
  });

  it('validateRepositoryOptions: known options pass, unknown ones are BAD_REQUEST naming the field', () => {
    const f = dockerFormat();
    const repo = { name: 'r', repo_type: 'hosted' as const };
    expect(f.validateRepositoryOptions?.({ cleanup_untagged_manifests: true, listen: '127.0.0.1:5001' }, repo)).toEqual(
      {
        cleanup_untagged_manifests: true,
        listen: '127.0.0.1:5001',
      },
    );
    expect(() => f.validateRepositoryOptions?.({ listen: 'nope' }, repo)).toThrow(/listen/);
    expect(() => f.validateRepositoryOptions?.({ bogus: 1 }, repo)).toThrow(/bogus/);
  });
});
