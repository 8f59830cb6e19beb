import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { basicAuth } from './api.js';
import type { DepotProcess } from './depot-process.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A hosted Docker repository `docker` in the `default` store, for `startDepot({ toml })`. */
export const HOSTED_DOCKER_TOML = `
[[initialization.repositories]]
name = "docker"
repo_type = "hosted"
format = "docker"
store = "default"
`;

export const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A blob or manifest as a descriptor needs it. */
export interface Pushed {
  readonly digest: string;
  readonly size: number;
}

/** Registry calls as `admin` against the depot `current()` returns (it may start after this is made). */
export function dockerClient(current: () => DepotProcess) {
  const auth = () => ({ authorization: basicAuth('admin', current().adminPassword) });
  return {
    auth,
    /** Monolithic blob upload (`POST …/blobs/uploads/?digest=`), expecting 201. */
    async pushBlob(name: string, bytes: Buffer | string): Promise<Pushed> {
      const digest = sha256(bytes);
      const res = await fetch(`${current().url}/v2/${name}/blobs/uploads/?digest=${digest}`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect(res.status).toBe(201);
      return { digest, size: Buffer.byteLength(bytes) };
    },
    /** An OCI image manifest PUT under `ref`, expecting 201. */
    async pushManifest(name: string, ref: string, doc: object): Promise<Pushed> {
      const bytes = Buffer.from(JSON.stringify(doc));
      const res = await fetch(`${current().url}/v2/${name}/manifests/${ref}`, {
        method: 'PUT',
        headers: { ...auth(), 'content-type': OCI_MANIFEST },
        body: bytes,
      });
      expect(res.status, await res.text()).toBe(201);
      return { digest: sha256(bytes), size: bytes.byteLength };
    },
  };
}
