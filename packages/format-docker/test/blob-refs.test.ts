import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerFormat } from '../src/index.js';
import { MARK_GRACE_MS } from '../src/store/blob-refs.js';
import { dockerHarness, expectOci, imageManifest, OCI_MANIFEST, pushBlob, pushImage, sha256 } from './support.js';

let h: FormatHarness;
afterEach(async () => h?.close());

const blobUrl = (digest: string) => `/v2/hosted/app/blobs/${digest}`;

describe('a blob referenced by a manifest cannot be deleted', () => {
  it('409 DENIED naming the manifest; after the manifest is deleted the blob delete succeeds', async () => {
    h = await dockerHarness();
    const img = await pushImage(h, 'hosted/app', 'v1');
    for (const digest of [img.layer.digest, img.config.digest]) {
      const refused = await h.mount({ method: 'DELETE', rawPath: blobUrl(digest) });
      expectOci(refused, 409, 'DENIED');
      const detail = refused.json<{ errors: { detail: { manifest: string; image: string } }[] }>().errors[0]?.detail;
      expect(detail).toEqual({ digest, image: 'app', manifest: img.digest });
    }
    expect((await h.mount({ method: 'GET', rawPath: blobUrl(img.layer.digest) })).text()).toBe(img.layerBytes);
    // A tag delete keeps the manifest, so the blob stays protected.
    expect((await h.mount({ method: 'DELETE', rawPath: '/v2/hosted/app/manifests/v1' })).status).toBe(202);
    expectOci(await h.mount({ method: 'DELETE', rawPath: blobUrl(img.layer.digest) }), 409, 'DENIED');
    expect((await h.mount({ method: 'DELETE', rawPath: `/v2/hosted/app/manifests/${img.digest}` })).status).toBe(202);
    expect((await h.mount({ method: 'DELETE', rawPath: blobUrl(img.layer.digest) })).status).toBe(202);
    expect((await h.mount({ method: 'DELETE', rawPath: blobUrl(img.config.digest) })).status).toBe(202);
  });

  it('a failed manifest PUT leaves no reference behind', async () => {
    h = await dockerHarness();
    const cfg = { digest: await pushBlob(h, 'hosted/app', '{}'), size: 2 };
    const missing = { digest: sha256('never pushed'), size: 12 };
    const res = await h.mount({
      method: 'PUT',
      rawPath: '/v2/hosted/app/manifests/v1',
      headers: { 'content-type': OCI_MANIFEST },
      body: imageManifest(cfg, [missing]),
    });
    expectOci(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    expect((await h.mount({ method: 'DELETE', rawPath: blobUrl(cfg.digest) })).status).toBe(202);
  });

  it('a mark left by a push that never finished ages out', async () => {
    let clock = Date.now();
    h = await createFormatHarness({ format: dockerFormat({ now: () => clock }) });
    await h.createRepo({ name: 'hosted' });
    const digest = await pushBlob(h, 'hosted/app', 'orphan');
    await h.kv.put(
      `fmt/docker/bref/hosted/${digest}/app/${sha256('crashed push')}`,
      new TextEncoder().encode(JSON.stringify({ v: 1, d: { at: new Date(clock).toISOString() } })),
    );
    expectOci(await h.mount({ method: 'DELETE', rawPath: blobUrl(digest) }), 409, 'DENIED');
    clock += MARK_GRACE_MS + 1;
    expect((await h.mount({ method: 'DELETE', rawPath: blobUrl(digest) })).status).toBe(202);
  });

  it('manifest PUTs racing blob DELETEs never leave a manifest whose blob is gone', async () => {
    h = await dockerHarness();
    for (let round = 0; round < 20; round++) {
      const bytes = `layer ${round}`;
      const cfg = { digest: await pushBlob(h, 'hosted/app', `{"r":${round}}`), size: `{"r":${round}}`.length };
      const layer = { digest: await pushBlob(h, 'hosted/app', bytes), size: bytes.length };
      const manifest = imageManifest(cfg, [layer]);
      const [put, del] = await Promise.all([
        h.mount({
          method: 'PUT',
          rawPath: `/v2/hosted/app/manifests/r${round}`,
          headers: { 'content-type': OCI_MANIFEST },
          body: manifest,
        }),
        h.mount({ method: 'DELETE', rawPath: blobUrl(layer.digest) }),
      ]);
      expect([put.status, del.status]).not.toEqual([201, 202]);
      const stored = await h.mount({ method: 'HEAD', rawPath: `/v2/hosted/app/manifests/${sha256(manifest)}` });
      const blob = await h.mount({ method: 'HEAD', rawPath: blobUrl(layer.digest) });
      if (stored.status === 200) expect(blob.status).toBe(200);
    }
  });
});
