import type { FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DOCKER_MANIFEST,
  dockerHarness,
  expectOci,
  imageManifest,
  OCI_INDEX,
  OCI_MANIFEST,
  pushBlob,
  pushImage,
  sha256,
} from './support.js';

let h: FormatHarness;
afterEach(async () => h?.close());

const put = (name: string, ref: string, body: string, contentType = OCI_MANIFEST) =>
  h.mount({ method: 'PUT', rawPath: `/v2/${name}/manifests/${ref}`, headers: { 'content-type': contentType }, body });

describe('manifest PUT validation (RELIABILITY §4.4 51–58)', () => {
  it('refuses invalid JSON, wrong schemaVersion, ambiguous documents and mismatched media types', async () => {
    h = await dockerHarness();
    const cfg = { digest: await pushBlob(h, 'hosted/app', '{}'), size: 2 };
    const good = JSON.parse(imageManifest(cfg, [])) as Record<string, unknown>;
    expectOci(await put('hosted/app', 'v1', 'not json'), 400, 'MANIFEST_INVALID');
    expectOci(await put('hosted/app', 'v1', JSON.stringify({ ...good, schemaVersion: 1 })), 400, 'MANIFEST_INVALID');
    expectOci(await put('hosted/app', 'v1', JSON.stringify({ ...good, manifests: [] })), 400, 'MANIFEST_INVALID');
    expectOci(await put('hosted/app', 'v1', JSON.stringify(good), DOCKER_MANIFEST), 400, 'MANIFEST_INVALID');
    expectOci(await put('hosted/app', 'v1', JSON.stringify(good), 'application/json'), 400, 'MANIFEST_INVALID');
    expectOci(await put('hosted/app', 'v1', `${'['.repeat(100_000)}${']'.repeat(100_000)}`), 400, 'MANIFEST_INVALID');
    expect((await put('hosted/app', 'v1', JSON.stringify(good))).status).toBe(201);
  });

  it('descriptor sizes: must match a stored blob or child manifest, and be a non-negative integer', async () => {
    h = await dockerHarness();
    const cfg = { digest: await pushBlob(h, 'hosted/app', '{}'), size: 2 };
    const layer = { digest: await pushBlob(h, 'hosted/app', 'x'.repeat(100)), size: 100 };
    const wrong = await put('hosted/app', 'v1', imageManifest(cfg, [{ ...layer, size: 999_999 }]));
    expectOci(wrong, 400, 'MANIFEST_INVALID');
    expect(wrong.json<{ errors: { detail: { digest: string } }[] }>().errors[0]?.detail.digest).toBe(layer.digest);
    expectOci(await put('hosted/app', 'v1', imageManifest({ ...cfg, size: 3 }, [layer])), 400, 'MANIFEST_INVALID');
    for (const size of [-1, 0.5, 2 ** 60]) {
      expectOci(await put('hosted/app', 'v1', imageManifest(cfg, [{ ...layer, size }])), 400, 'MANIFEST_INVALID');
    }
    const twice = imageManifest(cfg, [layer, { ...layer, size: 5 }]);
    expectOci(await put('hosted/app', 'v1', twice), 400, 'MANIFEST_INVALID');
    // A foreign (non-distributable) layer is not stored here: its size cannot be checked, and it is accepted.
    const foreign = { digest: sha256('elsewhere'), size: 123_456, urls: ['https://example.invalid/l'] };
    const child = await put('hosted/app', 'v1', imageManifest(cfg, [layer, foreign]));
    expect(child.status).toBe(201);
    const childDigest = child.headers['docker-content-digest'] ?? '';
    expectOci(
      await put(
        'hosted/app',
        'idx',
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [{ mediaType: OCI_MANIFEST, digest: childDigest, size: 1 }],
        }),
        OCI_INDEX,
      ),
      400,
      'MANIFEST_INVALID',
    );
    expect((await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/manifests/idx' })).status).toBe(404);
  });

  it('unknown layers or config → MANIFEST_BLOB_UNKNOWN, also when another repo has them', async () => {
    h = await dockerHarness();
    const cfg = { digest: await pushBlob(h, 'hosted/app', '{}'), size: 2 };
    const elsewhere = { digest: await pushBlob(h, 'other/app', 'layer'), size: 5 };
    expectOci(await put('hosted/app', 'v1', imageManifest(cfg, [elsewhere])), 400, 'MANIFEST_BLOB_UNKNOWN');
    const noCfg = { digest: sha256('missing config'), size: 3 };
    expectOci(await put('hosted/app', 'v1', imageManifest(noCfg, [])), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('PUT by digest verifies the digest', async () => {
    h = await dockerHarness();
    const cfg = { digest: await pushBlob(h, 'hosted/app', '{}'), size: 2 };
    const body = imageManifest(cfg, []);
    expectOci(await put('hosted/app', sha256('other'), body), 400, 'DIGEST_INVALID');
    expect((await put('hosted/app', sha256(body), body)).status).toBe(201);
  });

  it('indexes: children need not exist (sparse); a multi-arch index is pulled by tag', async () => {
    h = await dockerHarness();
    const amd = await pushImage(h, 'hosted/multi', 'amd64');
    const arm = await pushImage(h, 'hosted/multi', 'arm64');
    const child = (d: string, size: number, arch: string) => ({
      mediaType: OCI_MANIFEST,
      digest: d,
      size,
      platform: { os: 'linux', architecture: arch },
    });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [child(amd.digest, amd.manifest.length, 'amd64'), child(arm.digest, arm.manifest.length, 'arm64')],
    });
    const missing = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [child(sha256('x'), 1, 'riscv64')],
    });
    // A sparse index (its child not in the repository) is accepted, as the distribution spec allows.
    expect((await put('hosted/multi', 'sparse', missing, OCI_INDEX)).status).toBe(201);
    expect((await put('hosted/multi', 'latest', index, OCI_INDEX)).status).toBe(201);
    const got = await h.mount({
      method: 'GET',
      rawPath: '/v2/hosted/multi/manifests/latest',
      headers: { accept: OCI_INDEX },
    });
    expect(got.headers['content-type']).toBe(OCI_INDEX);
    expect(got.text()).toBe(index);
  });

  it('artifact manifests with a custom artifactType are stored and served', async () => {
    h = await dockerHarness();
    const empty = { digest: await pushBlob(h, 'hosted/art', '{}'), size: 2 };
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: 'application/spdx+json', ...empty }],
    });
    expect((await put('hosted/art', 'sbom', body)).status).toBe(201);
  });
});

describe('deletes (distribution-spec "Deleting")', () => {
  it('DELETE a tag → 202, the manifest stays; DELETE by digest removes it and its tags', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'v1');
    await put('hosted/app', 'v2', img.manifest);
    expect((await h.mount({ method: 'DELETE', rawPath: '/v2/hosted/app/manifests/v1' })).status).toBe(202);
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/manifests/v1' }), 404, 'MANIFEST_UNKNOWN');
    expect((await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/manifests/${img.digest}` })).status).toBe(200);
    expect((await h.mount({ method: 'DELETE', rawPath: `/v2/hosted/app/manifests/${img.digest}` })).status).toBe(202);
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/hosted/app/manifests/v2' }), 404, 'MANIFEST_UNKNOWN');
    expectOci(
      await h.mount({ method: 'DELETE', rawPath: `/v2/hosted/app/manifests/${img.digest}` }),
      404,
      'MANIFEST_UNKNOWN',
    );
  });

  it('DELETE a blob → 202, then HEAD/GET → 404 and a manifest can no longer reference it', async () => {
    h = await dockerHarness();
    const digest = await pushBlob(h, 'hosted/app', 'bye');
    expect((await h.mount({ method: 'DELETE', rawPath: `/v2/hosted/app/blobs/${digest}` })).status).toBe(202);
    expectOci(await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}` }), 404, 'BLOB_UNKNOWN');
    expectOci(await h.mount({ method: 'DELETE', rawPath: `/v2/hosted/app/blobs/${digest}` }), 404, 'BLOB_UNKNOWN');
  });

  it('deletes need the delete grant', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'v1');
    const writeOnly = { username: 'w', anonymous: false, admin: false, can: (a: string) => a !== 'delete' };
    expectOci(
      await h.as(writeOnly).mount({ method: 'DELETE', rawPath: `/v2/hosted/app/manifests/${img.digest}` }),
      403,
      'DENIED',
    );
  });
});
