import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWheel } from '../../../packages/format-pypi/test/fixtures.js';
import { cargoSandbox, requireCargo } from './helpers/cargo-client.js';
import { api, type DepotProcess, startDepot } from './helpers/depot-process.js';

// Scoped API tokens with the real clients: npm (_authToken), skopeo (docker login through the
// token endpoint), twine (__token__) and cargo (a raw Authorization header). One CI token may
// write four repositories and nothing else; deleting it stops every client at once.
const run = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

let depot: DepotProcess;
let work: string;
let token: string;
let tokenId: string;

const REPOS = [
  { name: 'npm-internal', format: 'npm' },
  { name: 'npm-other', format: 'npm' },
  { name: 'docker-ci', format: 'docker' },
  { name: 'docker-other', format: 'docker' },
  { name: 'py-ci', format: 'pypi' },
  { name: 'crates-ci', format: 'cargo' },
];
const CI_REPOS = ['npm-internal', 'docker-ci', 'py-ci', 'crates-ci'];

beforeAll(async () => {
  const missing = ['npm', 'skopeo', 'umoci', 'twine'].filter((b) => !has(b));
  if (missing.length > 0) throw new Error(`missing clients: ${missing.join(', ')} (run scripts/install-test-deps.sh)`);
  await requireCargo();
  depot = await startDepot();
  const admin = api(depot);
  for (const repo of REPOS) {
    const res = await admin.post('/api/v1/repositories', { ...repo, repo_type: 'hosted', store: 'default' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const made = await admin.post<{ token: string; id: string; grants: unknown[] }>('/api/v1/tokens', {
    name: 'ci',
    expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    grants: CI_REPOS.flatMap((repo) => [
      { capability: 'read', repo },
      { capability: 'write', repo },
    ]),
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  token = made.body.token;
  tokenId = made.body.id;
  work = mkdtempSync(join(tmpdir(), 'depot-tokens-'));
  // An OCI layout with one image, for skopeo to push.
  await run('umoci', ['init', '--layout', 'layout'], { cwd: work });
  await run('umoci', ['new', '--image', 'layout:app'], { cwd: work });
  writeFileSync(join(work, 'hello.txt'), 'hello\n');
  await run('umoci', ['insert', '--image', 'layout:app', 'hello.txt', '/hello.txt'], { cwd: work });
}, 300_000);

afterAll(async () => {
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** `npm publish` of a tiny package into `repo`, authenticated only by `_authToken`. */
async function npmPublish(repo: string, version: string): Promise<void> {
  const dir = join(work, `pkg-${repo}-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ci-built', version, license: 'MIT' }));
  const npmrc = join(work, `npmrc-${repo}`);
  writeFileSync(npmrc, `//127.0.0.1:${depot.port}/repository/${repo}/:_authToken=${token}\n`);
  await run(
    'npm',
    [
      'publish',
      dir,
      '--userconfig',
      npmrc,
      '--cache',
      join(work, 'npm-cache'),
      '--registry',
      `${depot.url}/repository/${repo}/`,
    ],
    { env: { ...process.env, npm_config_loglevel: 'warn' }, timeout: 120_000 },
  );
}

const skopeoPush = (repo: string) =>
  run(
    'skopeo',
    [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `ci:${token}`,
      'oci:layout:app',
      `docker://${depot.url.replace('http://', '')}/${repo}/team/app:1`,
    ],
    { cwd: work, timeout: 120_000 },
  );

const twineUpload = (repo: string, file: string) =>
  run(
    'twine',
    [
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '--repository-url',
      `${depot.url}/repository/${repo}/`,
      file,
    ],
    {
      env: {
        ...process.env,
        TWINE_USERNAME: '__token__',
        TWINE_PASSWORD: token,
        KEYRING_BACKEND: 'keyring.backends.null.Keyring',
      },
      timeout: 120_000,
    },
  );

describe('scoped API tokens with the real clients', () => {
  it('npm, skopeo, twine and cargo publish with the token into its repositories; elsewhere they are refused', async () => {
    await npmPublish('npm-internal', '1.0.0');
    await expect(npmPublish('npm-other', '1.0.0')).rejects.toThrow(/E403|403/);
    await skopeoPush('docker-ci');
    await expect(skopeoPush('docker-other')).rejects.toThrow(/denied|unauthorized|403|401/i);
    const wheel = makeWheel('ci-wheel', '1.0');
    const file = join(work, wheel.filename);
    writeFileSync(file, wheel.bytes);
    await twineUpload('py-ci', file);
    const cargo = cargoSandbox(join(work, 'cargo'), { ci: `${depot.url}/repository/crates-ci/index/` }, token);
    const crate = cargo.newCrate('ci-crate', '0.1.0');
    await cargo.cargo(crate, ['publish', '--registry', 'ci', '--allow-dirty', '--no-verify']);

    // What landed, read with the admin's own credentials.
    const admin = api(depot);
    const auth = { authorization: admin.authorization };
    expect((await fetch(`${depot.url}/repository/npm-internal/ci-built`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${depot.url}/repository/npm-other/ci-built`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${depot.url}/v2/docker-ci/team/app/tags/list`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${depot.url}/repository/py-ci/simple/ci-wheel/`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${depot.url}/repository/crates-ci/index/ci/-c/ci-crate`, { headers: auth })).status).toBe(200);
    // The administrator's token cannot reach the admin API.
    expect((await fetch(`${depot.url}/api/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      403,
    );
    const listed = await admin.get<{ tokens: { id: string; last_used_at?: string }[] }>('/api/v1/tokens');
    expect(listed.body.tokens.find((t) => t.id === tokenId)?.last_used_at).toEqual(expect.any(String));
  });

  it('a deleted token stops npm and skopeo at once', async () => {
    expect((await api(depot).delete(`/api/v1/tokens/${tokenId}`)).status).toBe(204);
    await expect(npmPublish('npm-internal', '1.0.1')).rejects.toThrow(/E401|401/);
    await expect(skopeoPush('docker-ci')).rejects.toThrow(/unauthorized|401|invalid/i);
    expect(
      (await fetch(`${depot.url}/repository/npm-internal/ci-built`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(401);
  });
});
