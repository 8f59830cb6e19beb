import { describe, expect, it } from 'vitest';
import { dockerClient, HOSTED_DOCKER_TOML, OCI_MANIFEST, sha256 } from './helpers/docker.js';
import { useDepot } from './helpers/use-depot.js';

// RELIABILITY §1.6 (zot 4f14db0f: 24 concurrent tag pushes, 9 lost, all answered 201): every tag a
// PUT acknowledged must be listed, and a tag raced by several writers must name one whole manifest.

const depot = useDepot({ toml: HOSTED_DOCKER_TOML });
const { auth, pushBlob } = dockerClient(() => depot);

describe('concurrent manifest pushes', () => {
  it('lists every acknowledged tag; a raced tag names one whole manifest', async () => {
    const config = await pushBlob('docker/race', Buffer.from('{"architecture":"amd64","os":"linux"}'));
    const layer = await pushBlob('docker/race', Buffer.from('layer bytes'));
    const manifest = (n: number) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
          annotations: { n: String(n) },
        }),
      );
    // 24 distinct tags and 24 writers racing on `shared`, all at once.
    const puts = Array.from({ length: 48 }, async (_, n) => {
      const tag = n < 24 ? `t${n}` : 'shared';
      const body = manifest(n);
      const res = await fetch(`${depot.url}/v2/docker/race/manifests/${tag}`, {
        method: 'PUT',
        headers: { ...auth(), 'content-type': OCI_MANIFEST },
        body,
      });
      return { tag, status: res.status, digest: sha256(body) };
    });
    const results = await Promise.all(puts);
    expect(results.filter((r) => r.status !== 201)).toEqual([]);

    const list = await fetch(`${depot.url}/v2/docker/race/tags/list`, { headers: auth() });
    const { tags } = (await list.json()) as { tags: string[] };
    expect(tags.sort()).toEqual([...Array.from({ length: 24 }, (_, n) => `t${n}`), 'shared'].sort());

    for (const tag of ['t7', 'shared']) {
      const res = await fetch(`${depot.url}/v2/docker/race/manifests/${tag}`, {
        headers: { ...auth(), accept: OCI_MANIFEST },
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const digest = res.headers.get('docker-content-digest');
      expect(digest).toBe(sha256(bytes));
      expect(results.some((r) => r.tag === tag && r.digest === digest)).toBe(true);
      const byDigest = await fetch(`${depot.url}/v2/docker/race/manifests/${digest}`, {
        method: 'HEAD',
        headers: { ...auth(), accept: OCI_MANIFEST },
      });
      expect(byDigest.status).toBe(200);
    }
    // Every pushed manifest is there by digest, whichever writer won the shared tag.
    for (const r of results) {
      const res = await fetch(`${depot.url}/v2/docker/race/manifests/${r.digest}`, {
        method: 'HEAD',
        headers: { ...auth(), accept: OCI_MANIFEST },
      });
      expect(res.status, r.digest).toBe(200);
    }
  });
});
