import { afterEach, describe, expect, it } from 'vitest';
import { dockerClient, HOSTED_DOCKER_TOML, OCI_MANIFEST } from './helpers/docker.js';
import { useDepot } from './helpers/use-depot.js';

// A blob a manifest still references cannot be deleted (the manifest would be served with a layer
// gone); against a real server.

const depot = useDepot({ toml: HOSTED_DOCKER_TOML });
const { auth, pushBlob, pushManifest } = dockerClient(() => depot);
afterEach(async () => {
  expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
});

type OciBody = { errors: { code: string; detail: Record<string, string> }[] };
const del = (path: string) => fetch(`${depot.url}${path}`, { method: 'DELETE', headers: auth() });

async function pushImage(name: string, ref: string, seed: string) {
  const config = await pushBlob(name, JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layer = await pushBlob(name, `layer ${seed}`);
  const manifest = await pushManifest(name, ref, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  });
  return { config, layer, manifest };
}

describe('DELETE of a referenced blob', () => {
  it('is 409 DENIED naming the manifest; the image still pulls; after the manifest delete it is 202', async () => {
    const img = await pushImage('docker/app', 'v1', 'a');
    const refused = await del(`/v2/docker/app/blobs/${img.layer.digest}`);
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as OciBody;
    expect(body.errors[0]?.code).toBe('DENIED');
    expect(body.errors[0]?.detail).toMatchObject({ digest: img.layer.digest, manifest: img.manifest.digest });
    const layer = await fetch(`${depot.url}/v2/docker/app/blobs/${img.layer.digest}`, { headers: auth() });
    expect(layer.status).toBe(200);
    expect(await layer.text()).toBe('layer a');
    expect((await del(`/v2/docker/app/manifests/${img.manifest.digest}`)).status).toBe(202);
    expect((await del(`/v2/docker/app/blobs/${img.layer.digest}`)).status).toBe(202);
    expect((await del(`/v2/docker/app/blobs/${img.config.digest}`)).status).toBe(202);
  });

  it('a blob shared by two images stays until both manifests are gone', async () => {
    const shared = await pushBlob('docker/app', 'shared base layer');
    const config = await pushBlob('docker/app', '{"shared":true}');
    const doc = (n: number) => ({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...shared }],
      annotations: { n: String(n) },
    });
    const one = await pushManifest('docker/app', 'one', doc(1));
    const two = await pushManifest('docker/other', 'two', doc(2));
    expect((await del(`/v2/docker/app/manifests/${one.digest}`)).status).toBe(202);
    const refused = await del(`/v2/docker/app/blobs/${shared.digest}`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as OciBody).errors[0]?.detail).toMatchObject({
      image: 'other',
      manifest: two.digest,
    });
    expect((await del(`/v2/docker/other/manifests/${two.digest}`)).status).toBe(202);
    expect((await del(`/v2/docker/app/blobs/${shared.digest}`)).status).toBe(202);
  });
});
