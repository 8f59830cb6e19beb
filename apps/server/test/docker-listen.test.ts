import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, freePort } from './helpers/depot-process.js';
import { depotSlot } from './helpers/use-depot.js';

const run = promisify(execFile);
const hasSkopeo = spawnSync('sh', ['-c', 'command -v skopeo']).status === 0;
if (!hasSkopeo) console.warn('skipping docker listen tests: skopeo missing');

const depot = depotSlot();
let work: string;
let port: number;
const creds = () => `admin:${depot.adminPassword}`;
const auth = () => ({ authorization: `Basic ${Buffer.from(creds()).toString('base64')}` });
const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { cwd: work });

/** Writes a one-layer OCI layout `layout:v1` by hand (no image tooling needed). */
function writeLayout(dir: string): string {
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.byteLength };
  };
  const layer = put(gzipSync(randomBytes(4096)));
  const config = put(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );
  return layer.digest;
}

/** Resolves once `GET http://127.0.0.1:p/v2/` answers (`true`) or refuses the connection (`false`). */
async function waitFor(p: number, answering: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answered = await fetch(`http://127.0.0.1:${p}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (answered === answering) return;
    if (Date.now() > deadline) throw new Error(`port ${p} still ${answered ? 'answers' : 'refuses'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasSkopeo)('docker repository listen (per-repo port)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'depot-docker-listen-'));
    port = await freePort();
  });
  depot.use(() => ({
    toml: `
[[initialization.repositories]]
name = "bound"
repo_type = "hosted"
format = "docker"
store = "default"
listen = "127.0.0.1:${port}"
`,
  }));
  beforeAll(async () => {
    await waitFor(port, true);
  }, 60_000);

  it('serves /v2/ (Bearer challenge for this port), /v2/token and nothing else', async () => {
    const base = `http://127.0.0.1:${port}`;
    const anon = await fetch(`${base}/v2/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain(`realm="${base}/v2/token"`);
    expect(anon.headers.get('x-request-id')).toBeTruthy();
    expect((await fetch(`${base}/v2/`, { headers: auth() })).status).toBe(200);
    const token = await fetch(`${base}/v2/token`, { headers: auth() });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { token?: string }).token).toBeTruthy();
    for (const path of ['/api/v1/health', '/repository/bound/x', '/metrics', '/']) {
      expect((await fetch(`${base}${path}`, { headers: auth() })).status, path).toBe(404);
    }
    const unknown = await fetch(`${base}/v2/nothing/manifests/v1`, { headers: auth() });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('MANIFEST_UNKNOWN');
  });

  it('skopeo copies to docker://127.0.0.1:PORT/img:tag (no repo prefix) and back', async () => {
    const layerDigest = writeLayout(join(work, 'layout'));
    const dest = `docker://127.0.0.1:${port}/lab/img:v1`;
    await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', creds(), 'oci:layout:v1', dest);
    // The same image through the main listener, under the repository's name.
    const viaMain = await fetch(`${depot.url}/v2/bound/lab/img/manifests/v1`, {
      method: 'HEAD',
      headers: { ...auth(), accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(viaMain.status).toBe(200);
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), dest, 'oci:back:v1');
    const hex = layerDigest.slice('sha256:'.length);
    expect(readFileSync(join(work, 'back/blobs/sha256', hex))).toEqual(
      readFileSync(join(work, 'layout/blobs/sha256', hex)),
    );
    const tags = await fetch(`http://127.0.0.1:${port}/v2/lab/img/tags/list`, { headers: auth() });
    expect(((await tags.json()) as { tags: string[] }).tags).toEqual(['v1']);
  }, 60_000);

  it('a port already in use is logged for that repository and the main server keeps serving', async () => {
    const blocker: Server = createServer();
    const busy = await freePort();
    await new Promise<void>((resolve) => blocker.listen(busy, '127.0.0.1', resolve));
    try {
      const created = await api(depot).post('/api/v1/repositories', {
        name: 'clash',
        repo_type: 'hosted',
        format: 'docker',
        store: 'default',
        listen: `127.0.0.1:${busy}`,
      });
      expect(created.status).toBe(201);
      const deadline = Date.now() + 10_000;
      while (!depot.logs().includes('repository listener failed to start') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(depot.logs()).toContain('repository listener failed to start');
      expect((await api(depot).get('/api/v1/health')).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/v2/`, { headers: auth() })).status).toBe(200);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect((await api(depot).delete('/api/v1/repositories/clash')).status).toBe(204);
  });

  it('moves the listener when listen changes, and stops it when the repository is deleted', async () => {
    const next = await freePort();
    const updated = await api(depot).put('/api/v1/repositories/bound', { listen: `127.0.0.1:${next}` });
    expect(updated.status).toBe(200);
    await waitFor(next, true, 5_000);
    await waitFor(port, false, 5_000);
    const tags = await fetch(`http://127.0.0.1:${next}/v2/lab/img/tags/list`, { headers: auth() });
    expect(tags.status).toBe(200);
    expect((await api(depot).delete('/api/v1/repositories/bound')).status).toBe(204);
    await waitFor(next, false, 5_000);
    expect((await api(depot).get('/api/v1/health')).status).toBe(200);
  }, 30_000);
});
