import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from './helpers/depot-process.js';
import { depotSlot } from './helpers/use-depot.js';

const execFileAsync = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const hasBin: Record<'buildah' | 'podman', boolean> = { buildah: has('buildah'), podman: has('podman') };

/** `it`, skipped with a warning naming each missing binary. */
function itNeeds(bins: readonly ('buildah' | 'podman')[], name: string, fn: () => Promise<void>, timeout = 120_000) {
  const missing = bins.filter((b) => !hasBin[b]);
  if (missing.length > 0) console.warn(`skipping "${name}": ${missing.join(' and ')} not installed`);
  it.skipIf(missing.length > 0)(name, fn, timeout);
}

const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const FORMATS = [
  { format: 'docker', tag: 'v2s2', mediaType: DOCKER_V2 },
  { format: 'oci', tag: 'oci', mediaType: OCI_MANIFEST },
] as const;
const HELLO = 'hello from buildah\n';

interface Manifest {
  readonly mediaType?: string;
  readonly config: { readonly digest: string; readonly mediaType: string };
  readonly layers: readonly { readonly digest: string; readonly mediaType: string; readonly size: number }[];
}

interface ImageInspect {
  readonly Id: string;
  readonly Digest: string;
  readonly RepoDigests: readonly string[];
  readonly ManifestType: string;
  readonly RootFS: { readonly Layers: readonly string[] };
}

const depot = depotSlot();
let host: string;
let work: string;
/** Parent of the runroots: podman refuses a runroot longer than 50 characters. */
let runBase: string;
/** Names of the private storages used (root `work/NAME`, runroot `runBase/NAME`), reset on teardown. */
const storages = new Set<string>();

const creds = (): string => `admin:${depot.adminPassword}`;
const image = (repo: string, tag: string): string => `${host}/${repo}/podman-hello:${tag}`;

/** Environment pointing every container tool config/state path into `work`. */
function clientEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: join(work, 'home'),
    XDG_RUNTIME_DIR: join(work, 'xdg-run'),
    XDG_CONFIG_HOME: join(work, 'home/.config'),
    XDG_DATA_HOME: join(work, 'home/.local/share'),
    TMPDIR: join(work, 'tmp'),
    REGISTRIES_CONFIG_PATH: join(work, 'registries.conf'),
    CONTAINERS_REGISTRIES_CONF: join(work, 'registries.conf'),
    CONTAINERS_CONF: join(work, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(work, 'storage.conf'),
    REGISTRY_AUTH_FILE: join(work, 'auth.json'),
  };
}

/** Global flags selecting the private vfs storage `name` under `work`. */
function storageFlags(name: string): string[] {
  storages.add(name);
  return ['--storage-driver', 'vfs', '--root', join(work, name), '--runroot', join(runBase, name)];
}

async function tool(
  bin: 'buildah' | 'podman',
  storage: string,
  args: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(bin, [...storageFlags(storage), ...args], {
      cwd: work,
      env: clientEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}
const buildah = (storage: string, ...args: string[]) => tool('buildah', storage, args);
const podman = (storage: string, ...args: string[]) => tool('podman', storage, args);
const policy = (): string[] => ['--signature-policy', join(work, 'policy.json')];

/** What depot serves for a manifest, fetched the way a client does (Basic auth, both Accept types). */
async function fetchManifest(
  repo: string,
  tag: string,
): Promise<{ digest: string; contentType: string; manifest: Manifest; bodyDigest: string }> {
  const res = await fetch(`${depot.url}/v2/${repo}/podman-hello/manifests/${tag}`, {
    headers: { authorization: basicAuth('admin', depot.adminPassword), accept: `${OCI_MANIFEST}, ${DOCKER_V2}` },
  });
  expect(res.status).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  return {
    digest: res.headers.get('docker-content-digest') ?? '',
    contentType: res.headers.get('content-type') ?? '',
    manifest: JSON.parse(body.toString('utf8')) as Manifest,
    bodyDigest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
  };
}

async function fetchDiffIds(repo: string, configDigest: string): Promise<string[]> {
  const res = await fetch(`${depot.url}/v2/${repo}/podman-hello/blobs/${configDigest}`, {
    headers: { authorization: basicAuth('admin', depot.adminPassword) },
  });
  expect(res.status).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(configDigest);
  return (JSON.parse(body.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
}

async function inspect(storage: string, ref: string): Promise<ImageInspect> {
  const { stdout } = await podman(storage, 'image', 'inspect', ref);
  const [info] = JSON.parse(stdout) as ImageInspect[];
  if (!info) throw new Error(`no inspect output for ${ref}`);
  return info;
}

/** Reads /hello.txt out of a pulled image via `podman image mount` (vfs: a plain directory). */
async function readHello(storage: string, ref: string): Promise<string> {
  const { stdout } = await podman(storage, 'image', 'mount', ref);
  try {
    return readFileSync(join(stdout.trim(), 'hello.txt'), 'utf8');
  } finally {
    await podman(storage, 'image', 'unmount', ref);
  }
}

/** Digests buildah reported for each pushed format, keyed by tag. */
let pushOnce: Promise<Record<string, string>> | undefined;

/** `buildah from scratch` + `copy` + `commit`, then `push` as Docker v2 and as OCI (once per file). */
function buildAndPush(): Promise<Record<string, string>> {
  pushOnce ??= (async () => {
    writeFileSync(join(work, 'hello.txt'), HELLO);
    const { stdout: ctr } = await buildah('build', 'from', ...policy(), 'scratch');
    const container = ctr.trim();
    await buildah('build', 'copy', container, join(work, 'hello.txt'), '/hello.txt');
    await buildah('build', 'commit', ...policy(), container, 'localhost/podman-hello:built');
    const pushed: Record<string, string> = {};
    for (const { format, tag } of FORMATS) {
      const digestFile = join(work, `digest-${tag}`);
      await buildah(
        'build',
        'push',
        ...policy(),
        '--tls-verify=false',
        '--creds',
        creds(),
        '--format',
        format,
        '--digestfile',
        digestFile,
        'localhost/podman-hello:built',
        `docker://${image('docker-hosted', tag)}`,
      );
      pushed[tag] = readFileSync(digestFile, 'utf8').trim();
    }
    return pushed;
  })();
  return pushOnce;
}

function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  // vfs layers and copied files may be read-only for a non-root user.
  spawnSync('chmod', ['-R', 'u+w', dir]);
  rmSync(dir, { recursive: true, force: true });
}

describe.skipIf(!hasBin.buildah && !hasBin.podman)('docker / OCI with real clients (buildah, podman)', () => {
  depot.use({
    toml: `
[[initialization.repositories]]
name = "docker-hosted"
repo_type = "hosted"
format = "docker"
store = "default"

[[initialization.repositories]]
name = "docker-group"
repo_type = "proxy"
format = "docker"
store = "default"
members = ["docker-hosted"]
`,
  });
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'depot-podman-e2e-'));
    for (const d of ['home/.config', 'home/.local/share', 'tmp']) mkdirSync(join(work, d), { recursive: true });
    mkdirSync(join(work, 'xdg-run'), { mode: 0o700 });
    runBase = work.length <= 36 ? join(work, 'run') : mkdtempSync('/tmp/dpr-');
    host = depot.url.replace('http://', '');
    writeFileSync(
      join(work, 'registries.conf'),
      `unqualified-search-registries = []\n\n[[registry]]\nlocation = "${host}"\ninsecure = true\n`,
    );
    writeFileSync(
      join(work, 'containers.conf'),
      `[engine]\nevents_logger = "none"\ncgroup_manager = "cgroupfs"\nimage_copy_tmp_dir = "${join(work, 'tmp')}"\n`,
    );
    writeFileSync(
      join(work, 'storage.conf'),
      `[storage]\ndriver = "vfs"\nrunroot = "${join(runBase, 'default')}"\ngraphroot = "${join(work, 'default')}"\n`,
    );
    // buildah refuses a REGISTRY_AUTH_FILE that does not exist.
    writeFileSync(join(work, 'auth.json'), JSON.stringify({ auths: {} }));
    writeFileSync(join(work, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  }, 120_000);

  afterAll(async () => {
    if (!work) return;
    for (const name of storages) {
      if (hasBin.podman && existsSync(join(work, name))) {
        await podman(name, 'system', 'reset', '--force').catch(() => undefined);
      }
    }
    removeTree(work);
    if (runBase && !runBase.startsWith(work)) removeTree(runBase);
  }, 60_000);

  itNeeds(['buildah'], 'buildah from scratch, commit and push as Docker v2 and as OCI to a hosted repo', async () => {
    const pushed = await buildAndPush();
    for (const { tag, mediaType } of FORMATS) {
      const served = await fetchManifest('docker-hosted', tag);
      expect(served.contentType).toBe(mediaType);
      expect(served.manifest.mediaType ?? OCI_MANIFEST).toBe(mediaType);
      expect(served.digest).toBe(served.bodyDigest);
      expect(served.digest).toBe(pushed[tag]);
      expect(served.manifest.layers).toHaveLength(1);
    }
    const [v2, oci] = await Promise.all(FORMATS.map((f) => fetchManifest('docker-hosted', f.tag)));
    expect(v2?.digest).not.toBe(oci?.digest);
    // Both tags carry the same image: the same config and filesystem.
    expect(await fetchDiffIds('docker-hosted', v2?.manifest.config.digest ?? '')).toEqual(
      await fetchDiffIds('docker-hosted', oci?.manifest.config.digest ?? ''),
    );
  });

  itNeeds(
    ['buildah', 'podman'],
    'podman pull of both formats into a fresh storage matches the served manifests',
    async () => {
      await buildAndPush();
      for (const { tag, mediaType } of FORMATS) {
        // One fresh storage per format: buildah writes the same config for both, so in a shared
        // storage the second pull would land on the first image and keep its digest.
        const storage = `h-${tag}`;
        const ref = image('docker-hosted', tag);
        await podman(storage, 'pull', ...policy(), '--tls-verify=false', '--creds', creds(), ref);
        const served = await fetchManifest('docker-hosted', tag);
        const info = await inspect(storage, ref);
        expect(info.Digest).toBe(served.digest);
        expect(info.RepoDigests).toContain(`${host}/docker-hosted/podman-hello@${served.digest}`);
        expect(info.ManifestType).toBe(mediaType);
        expect(`sha256:${info.Id}`).toBe(served.manifest.config.digest);
        expect(info.RootFS.Layers).toEqual(await fetchDiffIds('docker-hosted', served.manifest.config.digest));
        expect(info.RootFS.Layers).toHaveLength(served.manifest.layers.length);
        expect(await readHello(storage, ref)).toBe(HELLO);
      }
    },
  );

  itNeeds(
    ['podman'],
    'podman login refuses wrong credentials and stores right ones in the private authfile',
    async () => {
      const authfile = join(work, 'auth.json');
      const login = (password: string) =>
        podman('login', 'login', '--tls-verify=false', '--authfile', authfile, '-u', 'admin', '-p', password, host);
      await expect(login('wrong')).rejects.toThrow(/401|unauthorized|invalid username\/password/i);
      expect(existsSync(authfile) ? readFileSync(authfile, 'utf8') : '').not.toContain(host);
      await login(depot.adminPassword);
      const auths = (JSON.parse(readFileSync(authfile, 'utf8')) as { auths: Record<string, { auth: string }> }).auths;
      expect(Buffer.from(auths[host]?.auth ?? '', 'base64').toString()).toBe(creds());
      await podman('login', 'logout', '--authfile', authfile, host);
    },
  );

  itNeeds(['buildah', 'podman'], 'podman pull through a proxy repo over the hosted one', async () => {
    await buildAndPush();
    for (const { tag, mediaType } of FORMATS) {
      const storage = `g-${tag}`;
      const ref = image('docker-group', tag);
      await podman(storage, 'pull', ...policy(), '--tls-verify=false', '--creds', creds(), ref);
      const hosted = await fetchManifest('docker-hosted', tag);
      const viaGroup = await fetchManifest('docker-group', tag);
      expect(viaGroup.digest).toBe(hosted.digest);
      const info = await inspect(storage, ref);
      expect(info.Digest).toBe(hosted.digest);
      expect(info.ManifestType).toBe(mediaType);
      expect(await readHello(storage, ref)).toBe(HELLO);
    }
  });
});
