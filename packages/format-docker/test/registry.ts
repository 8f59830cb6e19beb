import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CNCF distribution (`docker-registry`) on 127.0.0.1, the reference upstream of cache tests. */
export interface RegistryProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** True when a binary is on PATH. */
export const hasBinary = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `docker-registry serve` with filesystem storage and deletes enabled (LAB.md). */
export async function startRegistry(): Promise<RegistryProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'depot-registry-'));
  const port = await freePort();
  const cfg = join(dir, 'registry.yml');
  writeFileSync(
    cfg,
    `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${dir}/data}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:${port}}\n`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Pushes an image straight to the registry: blobs monolithically, then the manifest under `tag`. */
export async function seedRegistry(url: string, image: string, tag: string, seed: string) {
  const { createHash } = await import('node:crypto');
  const sha = (b: string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed });
  const layer = `upstream layer ${seed}`;
  for (const body of [config, layer]) {
    // distribution 2.8 has no monolithic POST: open a session, then PUT the bytes with the digest.
    const open = await fetch(`${url}/v2/${image}/blobs/uploads/`, { method: 'POST' });
    const location = new URL(open.headers.get('location') ?? '', url);
    location.searchParams.set('digest', sha(body));
    const res = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
    if (res.status !== 201) throw new Error(`seed blob: ${res.status}`);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  });
  const res = await fetch(`${url}/v2/${image}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (res.status !== 201) throw new Error(`seed manifest: ${res.status} ${await res.text()}`);
  return { manifest, digest: sha(manifest), layer, layerDigest: sha(layer) };
}
