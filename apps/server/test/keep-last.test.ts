import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel } from '../../../packages/format-pypi/test/fixtures.js';
import { type ApiClient, api } from './helpers/api.js';
import { type DepotProcess, startDepot } from './helpers/depot-process.js';

// cleanup_keep_last with the real clients: npm publishes three versions, skopeo pushes three
// tags of three images' worth of content, twine uploads three releases; a clean task keeps the
// newest two of each, and npm, skopeo and pip see exactly those.
const run = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

interface CleanResult {
  removed_versions: number;
  versions: { repo: string; package: string; version: string }[];
  skipped: { repo: string; reason: string }[];
}

let depot: DepotProcess;
let admin: ApiClient;
let work: string;

const creds = () => `admin:${depot.adminPassword}`;
const host = () => depot.url.replace('http://', '');
const npm = (args: string[], cwd = work) =>
  run(
    'npm',
    [
      ...args,
      '--userconfig',
      join(work, 'npmrc'),
      '--cache',
      join(work, 'npm-cache'),
      '--registry',
      `${depot.url}/repository/npm-k/`,
    ],
    {
      cwd,
      env: { ...process.env, npm_config_loglevel: 'warn' },
      timeout: 120_000,
    },
  );
const skopeo = (args: string[]) => run('skopeo', ['--insecure-policy', ...args], { cwd: work, timeout: 120_000 });
const pip = (args: string[]) =>
  run('python3', ['-m', 'pip', '--isolated', '--disable-pip-version-check', '--no-cache-dir', '--no-input', ...args], {
    cwd: work,
    timeout: 180_000,
  });
const indexUrl = () =>
  `http://admin:${encodeURIComponent(depot.adminPassword)}@127.0.0.1:${depot.port}/repository/py-k/simple/`;

beforeAll(async () => {
  const missing = ['npm', 'skopeo', 'umoci', 'twine', 'python3'].filter((b) => !has(b));
  if (missing.length > 0) throw new Error(`missing clients: ${missing.join(', ')} (run scripts/install-test-deps.sh)`);
  depot = await startDepot();
  admin = api(depot);
  for (const [name, format] of [
    ['npm-k', 'npm'],
    ['docker-k', 'docker'],
    ['py-k', 'pypi'],
  ]) {
    const res = await admin.post('/api/v1/repositories', {
      name,
      format,
      repo_type: 'hosted',
      store: 'default',
      cleanup_keep_last: 2,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  work = mkdtempSync(join(tmpdir(), 'depot-keep-last-'));
  writeFileSync(
    join(work, 'npmrc'),
    `//127.0.0.1:${depot.port}/repository/npm-k/:_auth=${Buffer.from(creds()).toString('base64')}\n`,
  );

  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    const dir = join(work, `pkg-${version}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kept-pkg', version, license: 'MIT' }));
    await npm(['publish', dir]);
  }

  await run('umoci', ['init', '--layout', 'layout'], { cwd: work });
  for (const tag of ['v1', 'v2', 'v3']) {
    await run('umoci', ['new', '--image', `layout:${tag}`], { cwd: work });
    writeFileSync(join(work, 'tag.txt'), `content of ${tag}\n`);
    await run('umoci', ['insert', '--image', `layout:${tag}`, 'tag.txt', '/tag.txt'], { cwd: work });
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(),
      `oci:layout:${tag}`,
      `docker://${host()}/docker-k/app:${tag}`,
    ]);
  }

  const files: string[] = [];
  for (const version of ['1.0', '1.1', '1.2']) {
    const wheel = makeWheel('kept-py', version);
    const file = join(work, wheel.filename);
    writeFileSync(file, wheel.bytes);
    files.push(file);
  }
  // One upload per release, in order, so their upload times differ.
  for (const file of files) {
    await run(
      'twine',
      [
        'upload',
        '--non-interactive',
        '--disable-progress-bar',
        '--repository-url',
        `${depot.url}/repository/py-k/`,
        '-u',
        'admin',
        '-p',
        depot.adminPassword,
        file,
      ],
      { env: { ...process.env, PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' }, timeout: 120_000 },
    );
  }
}, 300_000);

afterAll(async () => {
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('cleanup_keep_last with npm, skopeo and twine/pip', () => {
  it('a dry run lists the oldest version of each package; the real run removes exactly those', async () => {
    const digestOf = async (tag: string) =>
      (
        await skopeo([
          'inspect',
          '--tls-verify=false',
          '--creds',
          creds(),
          '--format',
          '{{.Digest}}',
          `docker://${host()}/docker-k/app:${tag}`,
        ])
      ).stdout.trim();
    const v1Digest = await digestOf('v1');

    const dry = await admin.post<{ result: CleanResult }>('/api/v1/tasks/clean?wait=true', { dry_run: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    const listed = dry.body.result.versions.map((v) => `${v.repo} ${v.package}@${v.version}`).sort();
    expect(listed).toEqual(['docker-k app@v1', 'npm-k kept-pkg@1.0.0', 'py-k kept-py@1.0']);
    expect((await npm(['view', 'kept-pkg', 'versions', '--json'])).stdout).toContain('1.0.0');

    const real = await admin.post<{ result: CleanResult }>('/api/v1/tasks/clean?wait=true', {});
    expect(real.status).toBe(200);
    expect(real.body.result.removed_versions).toBe(3);
    expect(real.body.result.skipped).toEqual([]);

    // npm: the packument lists the newest two; latest still names the newest.
    expect(JSON.parse((await npm(['view', 'kept-pkg', 'versions', '--json'])).stdout)).toEqual(['1.1.0', '1.2.0']);
    expect((await npm(['view', 'kept-pkg', 'dist-tags.latest'])).stdout.trim()).toBe('1.2.0');
    const tarball = await fetch(`${depot.url}/repository/npm-k/kept-pkg/-/kept-pkg-1.0.0.tgz`, {
      headers: { authorization: admin.authorization },
    });
    expect(tarball.status).toBe(404);

    // Docker: tag v1 and the manifest only it kept are gone; v2 and v3 pull.
    await expect(digestOf('v1')).rejects.toThrow(/manifest unknown|not found|404/i);
    const byDigest = await fetch(`${depot.url}/v2/docker-k/app/manifests/${v1Digest}`, {
      headers: { authorization: admin.authorization, accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(byDigest.status).toBe(404);
    for (const tag of ['v2', 'v3']) expect(await digestOf(tag)).toMatch(/^sha256:/);

    // PyPI: pip sees 1.1 and 1.2 only.
    const { stdout } = await pip(['index', 'versions', '--index-url', indexUrl(), 'kept-py']);
    expect(stdout).toMatch(/Available versions: 1\.2, 1\.1\s*$/m);

    // Nothing more to remove: a second run is a no-op.
    const again = await admin.post<{ result: CleanResult }>('/api/v1/tasks/clean?wait=true', {});
    expect(again.body.result.removed_versions).toBe(0);
  });

  it('cleanup_keep_last is validated and can be cleared', async () => {
    const bad = await admin.put('/api/v1/repositories/npm-k', { cleanup_keep_last: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('cleanup_keep_last');
    const cleared = await admin.put<{ cleanup_keep_last?: number }>('/api/v1/repositories/npm-k', {
      cleanup_keep_last: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.cleanup_keep_last).toBeUndefined();
  });
});
