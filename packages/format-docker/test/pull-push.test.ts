import type { FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DOCKER_MANIFEST, dockerHarness, expectOci, OCI_MANIFEST, pushImage, sha256 } from './support.js';

let h: FormatHarness;
afterEach(async () => h?.close());

describe('base and pull (distribution-spec "Pulling manifests")', () => {
  it('GET /v2/: anonymous → 401 with the Bearer challenge; authenticated → 200 {}', async () => {
    h = await dockerHarness();
    const anon = await h.as('anonymous').mount({ method: 'GET', rawPath: '/v2/' });
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toBe('Bearer realm="http://depot.test/v2/token",service="depot"');
    expect(anon.headers['docker-distribution-api-version']).toBe('registry/2.0');
    const ok = await h.mount({ method: 'GET', rawPath: '/v2/' });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({});
    expect(ok.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('pushes and pulls by tag and by digest, bytes verbatim with digest headers', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/team/app', 'v1');
    for (const ref of ['v1', img.digest]) {
      const res = await h.mount({ method: 'GET', rawPath: `/v2/hosted/team/app/manifests/${ref}` });
      expect(res.status).toBe(200);
      expect(res.text()).toBe(img.manifest);
      expect(res.headers['docker-content-digest']).toBe(img.digest);
      expect(res.headers['content-type']).toBe(OCI_MANIFEST);
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(img.manifest)));
      const head = await h.mount({ method: 'HEAD', rawPath: `/v2/hosted/team/app/manifests/${ref}` });
      expect(head.status).toBe(200);
      expect(head.headers['docker-content-digest']).toBe(img.digest);
    }
    const blob = await h.mount({ method: 'GET', rawPath: `/v2/hosted/team/app/blobs/${img.layer.digest}` });
    expect(blob.status).toBe(200);
    expect(blob.text()).toBe(img.layerBytes);
    expect(blob.headers['docker-content-digest']).toBe(img.layer.digest);
    const headBlob = await h.mount({ method: 'HEAD', rawPath: `/v2/hosted/team/app/blobs/${img.layer.digest}` });
    expect(headBlob.headers['content-length']).toBe(String(img.layer.size));
  });

  it('PUT answers 201 with Location and Docker-Content-Digest', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'v1');
    const again = await h.mount({
      method: 'PUT',
      rawPath: `/v2/hosted/app/manifests/${img.digest}`,
      headers: { 'content-type': OCI_MANIFEST },
      body: img.manifest,
    });
    expect(again.status).toBe(201);
    expect(again.headers.location).toBe(`/v2/hosted/app/manifests/${img.digest}`);
    expect(again.headers['docker-content-digest']).toBe(img.digest);
  });

  it('content negotiation checks every Accept line; digest GETs skip it', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'v1', { mediaType: DOCKER_MANIFEST });
    const path = '/v2/hosted/app/manifests/v1';
    const accept = (a: string) => h.mount({ method: 'GET', rawPath: path, headers: { accept: a } });
    expectOci(await accept(OCI_MANIFEST), 404, 'MANIFEST_UNKNOWN');
    expect((await accept(`${OCI_MANIFEST}, ${DOCKER_MANIFEST};q=0.9`)).status).toBe(200);
    expect((await accept('*/*')).headers['content-type']).toBe(DOCKER_MANIFEST);
    expect((await h.mount({ method: 'GET', rawPath: path })).status).toBe(200);
    const byDigest = await h.mount({
      method: 'GET',
      rawPath: `/v2/hosted/app/manifests/${img.digest}`,
      headers: { accept: OCI_MANIFEST },
    });
    expect(byDigest.status).toBe(200);
  });

  it('unknown names, manifests and blobs answer in the OCI shape', async () => {
    h = await dockerHarness();
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/nosuchrepo/app/manifests/v1' }), 404, 'NAME_UNKNOWN');
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/manifests/v1' }), 404, 'MANIFEST_UNKNOWN');
    expectOci(await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${sha256('x')}` }), 404, 'BLOB_UNKNOWN');
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/hosted/App/manifests/v1' }), 400, 'NAME_INVALID');
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/manifests/-bad' }), 400, 'TAG_INVALID');
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/tags/list' }), 404, 'NAME_UNKNOWN');
  });

  it('anonymous without read → 401 challenge; authenticated without write → 403 DENIED', async () => {
    h = await dockerHarness();
    const noRead = { username: 'anonymous', anonymous: true, admin: false, can: () => false };
    const res = await h.as(noRead).mount({ method: 'GET', rawPath: '/v2/hosted/app/manifests/v1' });
    expectOci(res, 401, 'UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expectOci(await h.as('reader').mount({ method: 'POST', rawPath: '/v2/hosted/app/blobs/uploads/' }), 403, 'DENIED');
    expectOci(
      await h.as('anonymous').mount({ method: 'POST', rawPath: '/v2/hosted/app/blobs/uploads/' }),
      401,
      'UNAUTHORIZED',
    );
  });

  it('default_docker_repo routes single names; boundRepo routes every name', async () => {
    h = await dockerHarness({ settings: { default_docker_repo: 'hosted' } });
    const img = await pushImage(h, 'alpine', 'v1');
    const viaRepo = await h.mount({ method: 'GET', rawPath: '/v2/hosted/alpine/manifests/v1' });
    expect(viaRepo.headers['docker-content-digest']).toBe(img.digest);
    const bound = await h.mount({ method: 'GET', rawPath: '/v2/alpine/manifests/v1', boundRepo: 'hosted' });
    expect(bound.headers['docker-content-digest']).toBe(img.digest);
  });
});
