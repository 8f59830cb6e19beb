import { describeFormat, type FormatHarness } from '@depot/testkit';
import { expect } from 'vitest';
import { dockerFormat } from '../src/index.js';
import { OCI_MANIFEST, sha256 } from './support.js';

const blob = (h: FormatHarness, name: string, bytes: Uint8Array | string) =>
  h.mount({ method: 'POST', rawPath: `/v2/${name}/blobs/uploads/`, query: { digest: sha256(bytes) }, body: bytes });

describeFormat('docker', {
  format: () => dockerFormat(),
  // Cache repositories ask the upstream harness for `/v2/<image>/…`: single names land in `origin`.
  harness: { settings: { default_docker_repo: 'origin' } },
  duplicatePolicy: 'overwrite',
  anonymousWrite: { challenge: /^Bearer realm="http:\/\/depot\.test\/v2\/token",service="depot"$/ },
  upstreamUrl: (server) => server.url,
  async upload(h, repo, artifact) {
    const name = `${repo}/${artifact.name}`;
    const config = JSON.stringify({ os: 'linux', architecture: 'amd64' });
    for (const body of [config, artifact.bytes]) {
      const res = await blob(h, name, body);
      if (res.status !== 201) return res;
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [
        { mediaType: 'application/octet-stream', digest: sha256(artifact.bytes), size: artifact.bytes.byteLength },
      ],
    });
    return h.mount({
      method: 'PUT',
      rawPath: `/v2/${name}/manifests/${artifact.version}`,
      headers: { 'content-type': OCI_MANIFEST },
      body: manifest,
    });
  },
  async download(h, repo, artifact) {
    const name = `${repo}/${artifact.name}`;
    const m = await h.mount({ method: 'GET', rawPath: `/v2/${name}/manifests/${artifact.version}` });
    if (m.status !== 200) return m;
    const layer = m.json<{ layers: { digest: string }[] }>().layers[0]?.digest ?? '';
    return h.mount({ method: 'GET', rawPath: `/v2/${name}/blobs/${layer}` });
  },
  async list(h, repo) {
    const out: { name: string; version: string }[] = [];
    const cat = await h.mount({ method: 'GET', rawPath: '/v2/_catalog' });
    for (const full of cat.json<{ repositories: string[] }>().repositories) {
      if (!full.startsWith(`${repo}/`)) continue;
      const tags = await h.mount({ method: 'GET', rawPath: `/v2/${full}/tags/list` });
      for (const version of tags.json<{ tags: string[] }>().tags)
        out.push({ name: full.slice(repo.length + 1), version });
    }
    return out;
  },
  unknownRequest: (h, repo) => h.mount({ method: 'GET', rawPath: `/v2/${repo}/nosuch/manifests/v1` }),
  expectedNotFoundShape(res) {
    expect(res.json<{ errors: { code: string }[] }>().errors[0]?.code).toBe('MANIFEST_UNKNOWN');
  },
});
