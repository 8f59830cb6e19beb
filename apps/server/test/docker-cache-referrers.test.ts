import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, freePort } from './helpers/depot-process.js';
import { dockerClient, OCI_MANIFEST, sha256 } from './helpers/docker.js';
import { depotSlot } from './helpers/use-depot.js';

// The upstream is Depot itself: a hosted repository on its own port, reached by a cache repository
// through the Bearer token dance, so the referrers API exists upstream (distribution 2.8 has none).
const depot = depotSlot();
let upstreamPort: number;
const { auth, pushBlob, pushManifest } = dockerClient(() => depot);
const SIGNATURE_TYPE = 'application/vnd.example.signature.v1';

/** A cache repository over the `signed` repository's own port, logged in as admin. */
async function createMirror(name: string, cacheTtlSecs: number): Promise<void> {
  const created = await api(depot).post('/api/v1/repositories', {
    name,
    repo_type: 'cache',
    format: 'docker',
    store: 'default',
    upstream_url: `http://127.0.0.1:${upstreamPort}`,
    upstream_auth: { username: 'admin', password: depot.adminPassword },
    cache_ttl_secs: cacheTtlSecs,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

interface Index {
  mediaType: string;
  manifests: { digest: string; artifactType?: string; annotations?: Record<string, string> }[];
}

async function referrers(
  name: string,
  digest: string,
  query = '',
): Promise<{ status: number; index: Index; filtered: string | null }> {
  const res = await fetch(`${depot.url}/v2/${name}/referrers/${digest}${query}`, { headers: auth() });
  return { status: res.status, index: (await res.json()) as Index, filtered: res.headers.get('oci-filters-applied') };
}

describe('docker cache repositories list upstream referrers', () => {
  let image: { digest: string; size: number };
  let signature: { digest: string; size: number };

  beforeAll(async () => {
    upstreamPort = await freePort();
  });
  depot.use(() => ({
    toml: `
[logging]
level = "debug"

[[initialization.repositories]]
name = "signed"
repo_type = "hosted"
format = "docker"
store = "default"
listen = "127.0.0.1:${upstreamPort}"
`,
  }));
  beforeAll(async () => {
    await createMirror('mirror', 0);

    const config = await pushBlob('signed/app', Buffer.from('{"architecture":"amd64","os":"linux"}'));
    const layer = await pushBlob('signed/app', randomBytes(2048));
    image = await pushManifest('signed/app', 'v1', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    });
    const empty = await pushBlob('signed/app', Buffer.from('{}'));
    signature = await pushManifest('signed/app', 'sig', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: SIGNATURE_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', ...empty }],
      subject: { mediaType: OCI_MANIFEST, ...image },
      annotations: { 'org.example.signer': 'ci' },
    });
  }, 60_000);

  it('answers the referrers listing from upstream, filtered by artifactType', async () => {
    const direct = await referrers('signed/app', image.digest);
    expect(direct.index.manifests.map((m) => m.digest)).toEqual([signature.digest]);

    const cached = await referrers('mirror/app', image.digest);
    expect(cached.status).toBe(200);
    expect(cached.index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(cached.index.manifests).toEqual([
      {
        mediaType: OCI_MANIFEST,
        digest: signature.digest,
        size: signature.size,
        artifactType: SIGNATURE_TYPE,
        annotations: { 'org.example.signer': 'ci' },
      },
    ]);
    const filtered = await referrers('mirror/app', image.digest, '?artifactType=application/vnd.other');
    expect(filtered.index.manifests).toEqual([]);
    expect(filtered.filtered).toBe('artifactType');
    expect((await referrers('mirror/app', signature.digest)).index.manifests).toEqual([]);
  });

  it('with cache_ttl_secs, a listing is asked upstream at most once per ttl', async () => {
    await createMirror('mirror-ttl', 3600);
    expect((await referrers('mirror-ttl/app', image.digest)).index.manifests.map((m) => m.digest)).toEqual([
      signature.digest,
    ]);
    const empty = await pushBlob('signed/app', Buffer.from('{}'));
    const sbom = await pushManifest('signed/app', 'sbom', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom.v1',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', ...empty }],
      subject: { mediaType: OCI_MANIFEST, ...image },
    });
    expect((await referrers('mirror-ttl/app', image.digest)).index.manifests.map((m) => m.digest)).toEqual([
      signature.digest,
    ]);
    const fresh = (await referrers('mirror/app', image.digest)).index.manifests.map((m) => m.digest);
    expect(fresh).toEqual([signature.digest, sbom.digest].sort());
  });

  it('keeps what it saw: the listing and the signature still answer with the upstream gone', async () => {
    const pulled = await fetch(`${depot.url}/v2/mirror/app/manifests/${signature.digest}`, {
      headers: { ...auth(), accept: OCI_MANIFEST },
    });
    expect(pulled.status).toBe(200);
    await pulled.arrayBuffer();
    // Deleting the hosted repository stops its listener: the cache's upstream refuses connections.
    expect((await api(depot).delete('/api/v1/repositories/signed')).status).toBe(204);
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${upstreamPort}/v2/`).then(
        () => true,
        () => false,
      );
      if (!up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await expect(fetch(`http://127.0.0.1:${upstreamPort}/v2/`)).rejects.toThrow();

    const offline = await referrers('mirror/app', image.digest);
    expect(offline.status).toBe(200);
    expect(offline.index.manifests.map((m) => m.digest)).toContain(signature.digest);
    expect(offline.index.manifests).toHaveLength(2);
    const again = await fetch(`${depot.url}/v2/mirror/app/manifests/${signature.digest}`, {
      headers: { ...auth(), accept: OCI_MANIFEST },
    });
    expect(again.status).toBe(200);
    expect(sha256(Buffer.from(await again.arrayBuffer()))).toBe(signature.digest);
  });

  it('never logs the upstream credentials or the tokens they bought, even at debug level', () => {
    const logs = depot.logs();
    expect(logs).toContain('"level":20');
    expect(logs).not.toContain(depot.adminPassword);
    expect(logs).not.toContain(Buffer.from(`admin:${depot.adminPassword}`).toString('base64'));
    expect(logs).not.toMatch(/Bearer ey/);
  });
});
