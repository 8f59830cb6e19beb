import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/depot-process.js';
import { depotSlot } from './helpers/use-depot.js';

const run = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const missing = ['skopeo', 'umoci', 'docker-registry'].filter((b) => !has(b));
if (missing.length > 0) console.warn(`skipping docker client tests: missing ${missing.join(', ')}`);

const depot = depotSlot();
let registryUrl: string;
let registryStop: () => Promise<void>;
let work: string;
let host: string;

async function startRegistry(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const cfg = join(dir, 'registry.yml');
  writeFileSync(
    cfg,
    `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${dir}/reg}, delete: {enabled: true}}\nhttp: {addr: 127.0.0.1:${port}}\n`,
  );
  const child = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, stop };
}

const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { cwd: work });
const creds = () => `admin:${depot.adminPassword}`;
const basic = () => ({ authorization: `Basic ${Buffer.from(creds()).toString('base64')}` });

/** Builds an OCI layout with two single-platform images and a multi-arch index tagged `multi`. */
async function buildLayout(): Promise<void> {
  await run('umoci', ['init', '--layout', 'layout'], { cwd: work });
  for (const arch of ['amd64', 'arm64']) {
    await run('umoci', ['new', '--image', `layout:${arch}`], { cwd: work });
    await run('umoci', ['config', '--image', `layout:${arch}`, '--architecture', arch, '--os', 'linux'], { cwd: work });
    writeFileSync(join(work, 'hello.txt'), `hello from ${arch}\n`);
    await run('umoci', ['insert', '--image', `layout:${arch}`, 'hello.txt', '/hello.txt'], { cwd: work });
  }
  const indexPath = join(work, 'layout/index.json');
  const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { manifests: Record<string, unknown>[] };
  const children = index.manifests.map((m) => {
    const tag = (m.annotations as Record<string, string>)['org.opencontainers.image.ref.name'];
    return { mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { os: 'linux', architecture: tag } };
  });
  const multi = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: children,
  });
  const hex = createHash('sha256').update(multi).digest('hex');
  writeFileSync(join(work, 'layout/blobs/sha256', hex), multi);
  index.manifests.push({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: `sha256:${hex}`,
    size: Buffer.byteLength(multi),
    annotations: { 'org.opencontainers.image.ref.name': 'multi' },
  });
  writeFileSync(indexPath, JSON.stringify(index));
}

describe.skipIf(missing.length > 0)('docker / OCI with real clients (skopeo, umoci, docker-registry)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'depot-docker-e2e-'));
    const reg = await startRegistry(work);
    registryUrl = reg.url;
    registryStop = reg.stop;
  });
  depot.use(() => ({
    toml: `
[[initialization.repositories]]
name = "docker-hosted"
repo_type = "hosted"
format = "docker"
store = "default"

[[initialization.repositories]]
name = "docker-pinned"
repo_type = "hosted"
format = "docker"
store = "default"
format_options = { immutable_tags = ["v*"] }

[[initialization.repositories]]
name = "docker-once"
repo_type = "hosted"
format = "docker"
store = "default"
write_policy = "allow_once"

[[initialization.repositories]]
name = "docker-cache"
repo_type = "cache"
format = "docker"
store = "default"
upstream_url = "${registryUrl}"
cache_ttl_secs = 0

[[initialization.repositories]]
name = "docker-group"
repo_type = "proxy"
format = "docker"
store = "default"
members = ["docker-hosted", "docker-cache"]
`,
  }));
  beforeAll(async () => {
    host = depot.url.replace('http://', '');
    await buildLayout();
  }, 120_000);
  afterAll(async () => {
    await registryStop?.();
  });

  it('GET /v2/ challenges anonymous clients with Bearer', async () => {
    const res = await fetch(`${depot.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/v2\/token"/);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  for (const format of ['v2s2', 'oci']) {
    it(`skopeo copy --format ${format} into a hosted repo and back`, async () => {
      const dest = `docker://${host}/docker-hosted/lab/hello-${format}:v1`;
      await skopeo(
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds(),
        '--format',
        format,
        'oci:layout:amd64',
        dest,
      );
      const wanted =
        format === 'oci'
          ? 'application/vnd.oci.image.manifest.v1+json'
          : 'application/vnd.docker.distribution.manifest.v2+json';
      const head = await fetch(`${depot.url}/v2/docker-hosted/lab/hello-${format}/manifests/v1`, {
        method: 'HEAD',
        headers: { authorization: `Basic ${Buffer.from(creds()).toString('base64')}`, accept: wanted },
      });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(wanted);
      expect(head.headers.get('docker-content-digest')).toMatch(/^sha256:/);
      await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), dest, `oci:back-${format}:v1`);
      await run('umoci', ['unpack', '--rootless', '--image', `back-${format}:v1`, `bundle-${format}`], { cwd: work });
      expect(readFileSync(join(work, `bundle-${format}/rootfs/hello.txt`), 'utf8')).toBe('hello from amd64\n');
    });
  }

  it('skopeo copy --all of a multi-arch index, then pulls one platform', async () => {
    const dest = `docker://${host}/docker-hosted/lab/multi:1`;
    await skopeo('copy', '--all', '--dest-tls-verify=false', '--dest-creds', creds(), 'oci:layout:multi', dest);
    const { stdout } = await skopeo('inspect', '--tls-verify=false', '--creds', creds(), '--raw', dest);
    expect((JSON.parse(stdout) as { manifests: unknown[] }).manifests).toHaveLength(2);
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds(),
      '--override-arch',
      'arm64',
      dest,
      'oci:back-multi:arm',
    );
    await run('umoci', ['unpack', '--rootless', '--image', 'back-multi:arm', 'bundle-multi'], { cwd: work });
    expect(readFileSync(join(work, 'bundle-multi/rootfs/hello.txt'), 'utf8')).toBe('hello from arm64\n');
  });

  it('immutable_tags: a v* tag never moves or goes (skopeo is denied), other tags move, the same image re-pushes', async () => {
    const push = (image: string, ref: string) =>
      skopeo(
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds(),
        `oci:layout:${image}`,
        `docker://${host}/${ref}`,
      );
    const digestOf = async (ref: string) =>
      (
        await fetch(`${depot.url}/v2/${ref.replace(':', '/manifests/')}`, { method: 'HEAD', headers: basic() })
      ).headers.get('docker-content-digest');
    await push('amd64', 'docker-pinned/app:v1');
    const pinned = await digestOf('docker-pinned/app:v1');
    await expect(push('arm64', 'docker-pinned/app:v1')).rejects.toThrow(/denied|immutable/i);
    await push('amd64', 'docker-pinned/app:v1');
    await push('amd64', 'docker-pinned/app:latest');
    await push('arm64', 'docker-pinned/app:latest');
    expect(await digestOf('docker-pinned/app:v1')).toBe(pinned);
    expect(await digestOf('docker-pinned/app:latest')).not.toBe(pinned);
    await expect(
      skopeo('delete', '--tls-verify=false', '--creds', creds(), `docker://${host}/docker-pinned/app:v1`),
    ).rejects.toThrow(/denied|immutable/i);
    const byDigest = await fetch(`${depot.url}/v2/docker-pinned/app/manifests/${pinned}`, {
      method: 'DELETE',
      headers: basic(),
    });
    expect(byDigest.status).toBe(409);
    expect(((await byDigest.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('DENIED');
    expect(await digestOf('docker-pinned/app:v1')).toBe(pinned);
  });

  it('write_policy allow_once: no tag moves once pushed (skopeo is denied); re-pushing the same image succeeds', async () => {
    const push = (image: string) =>
      skopeo(
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds(),
        `oci:layout:${image}`,
        `docker://${host}/docker-once/app:latest`,
      );
    await push('amd64');
    await push('amd64');
    await expect(push('arm64')).rejects.toThrow(/denied|allow_once/i);
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds(),
      `docker://${host}/docker-once/app:latest`,
      'oci:once:v1',
    );
    await run('umoci', ['unpack', '--rootless', '--image', 'once:v1', 'bundle-once'], { cwd: work });
    expect(readFileSync(join(work, 'bundle-once/rootfs/hello.txt'), 'utf8')).toBe('hello from amd64\n');
  });

  it('wrong credentials are refused', async () => {
    const dest = `docker://${host}/docker-hosted/lab/nope:v1`;
    await expect(
      skopeo('copy', '--dest-tls-verify=false', '--dest-creds', 'admin:wrong', 'oci:layout:amd64', dest),
    ).rejects.toThrow();
  });

  it('pulls through a cache repo from docker-registry, a proxy over hosted + cache, and again with the upstream stopped', async () => {
    await skopeo(
      'copy',
      '--dest-tls-verify=false',
      'oci:layout:arm64',
      `docker://${registryUrl.replace('http://', '')}/lib/up:v1`,
    );
    const viaCache = `docker://${host}/docker-cache/lib/up:v1`;
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), viaCache, 'oci:cached:v1');
    const viaGroup = `docker://${host}/docker-group/lib/up:v1`;
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), viaGroup, 'oci:grouped:v1');
    await skopeo(
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(),
      'oci:layout:amd64',
      `docker://${host}/docker-group/lib/local:v1`,
    );
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds(),
      `docker://${host}/docker-hosted/lib/local:v1`,
      'oci:local:v1',
    );
    await registryStop();
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', creds(), viaCache, 'oci:offline:v1');
    await run('umoci', ['unpack', '--rootless', '--image', 'offline:v1', 'bundle-offline'], { cwd: work });
    expect(readFileSync(join(work, 'bundle-offline/rootfs/hello.txt'), 'utf8')).toBe('hello from arm64\n');
    const { stdout } = await skopeo(
      'list-tags',
      '--tls-verify=false',
      '--creds',
      creds(),
      `docker://${host}/docker-group/lib/up`,
    );
    expect((JSON.parse(stdout) as { Tags: string[] }).Tags).toContain('v1');
  });
});
