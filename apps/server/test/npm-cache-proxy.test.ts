import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/depot-process.js';
import { useDepot } from './helpers/use-depot.js';

const run = promisify(execFile);
/** verdaccio 6.8.0 (the last for Node 20) is installed once here, with LAB.md's node-fetch override. */
const TOOLS = join(tmpdir(), 'depot-npm-e2e', 'verdaccio');
const VERDACCIO_BIN = join(TOOLS, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

async function ensureVerdaccio(): Promise<void> {
  if (existsSync(VERDACCIO_BIN)) return;
  mkdirSync(TOOLS, { recursive: true });
  const pkg = { name: 'verdaccio-fixture', private: true, overrides: { 'verdaccio-audit': { 'node-fetch': '2.7.0' } } };
  writeFileSync(join(TOOLS, 'package.json'), JSON.stringify(pkg));
  await run('npm', ['i', '--no-audit', '--no-fund', 'verdaccio@6.8.0'], { cwd: TOOLS, timeout: 300_000 });
}

const depot = useDepot();
let verdaccio: ChildProcess | undefined;
let work: string;
let upstream: string;
let depotToken: string;

async function npm(args: readonly string[], registry: string, userconfig: string, cwd = work) {
  return run(
    'npm',
    [
      ...args,
      '--userconfig',
      userconfig,
      '--cache',
      join(work, `cache-${Math.random()}`),
      '--registry',
      registry,
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
    ],
    {
      cwd,
      timeout: 120_000,
    },
  );
}

async function token(url: string, name: string, password: string): Promise<string> {
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify({ name, password }),
  });
  return ((await res.json()) as { token: string }).token;
}

function consumerDir(label: string): string {
  const dir = join(work, `consumer-${label}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${label}`, version: '1.0.0', private: true }),
  );
  return dir;
}

beforeAll(async () => {
  await ensureVerdaccio();
  work = mkdtempSync(join(tmpdir(), 'depot-npm-cache-'));
  const port = await freePort();
  upstream = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(work, 'config.yaml'),
    `storage: ${work}/storage\nauth: { htpasswd: { file: ${work}/htpasswd, max_users: 100 } }\nuplinks: {}\npackages:\n  '@*/*': { access: $all, publish: $authenticated }\n  '**': { access: $all, publish: $authenticated }\nlog: { type: stdout, format: pretty, level: warn }\n`,
  );
  verdaccio = spawn(process.execPath, [VERDACCIO_BIN, '-c', join(work, 'config.yaml'), '-l', `127.0.0.1:${port}`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${upstream}-/ping`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await fetch(`${upstream}-/user/org.couchdb.user:alice`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'alice', password: 's3cret-pass' }),
  });
  const upToken = await token(upstream, 'alice', 's3cret-pass');
  writeFileSync(join(work, 'up.npmrc'), `//127.0.0.1:${port}/:_authToken=${upToken}\n`);
  const pkgDir = join(work, 'up-pkg');
  mkdirSync(pkgDir);
  writeFileSync(
    join(pkgDir, 'package.json'),
    JSON.stringify({ name: '@up/lib', version: '1.0.0', main: 'index.js', license: 'MIT' }),
  );
  writeFileSync(join(pkgDir, 'index.js'), 'module.exports = () => "upstream-lib";\n');
  await npm(['publish', '--access', 'public', pkgDir], upstream, join(work, 'up.npmrc'));

  const { client } = depot;
  const repos = [
    { name: 'npm-local', repo_type: 'hosted' },
    { name: 'npm-up', repo_type: 'cache', upstream_url: upstream, cache_ttl_secs: 1 },
    { name: 'npm-all', repo_type: 'proxy', members: ['npm-local', 'npm-up'], write_member: 'npm-local' },
  ];
  for (const repo of repos) {
    const res = await client.post('/api/v1/repositories', { format: 'npm', store: 'default', ...repo });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }
  depotToken = await token(`${depot.url}/repository/npm-local/`, 'admin', depot.adminPassword);
  const lines = repos.map((r) => `//127.0.0.1:${depot.port}/repository/${r.name}/:_authToken=${depotToken}`);
  writeFileSync(join(work, 'depot.npmrc'), `${lines.join('\n')}\n`);
}, 400_000);

afterAll(async () => {
  verdaccio?.kill();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('npm through a cache repository over verdaccio 6.8.0, and a proxy', () => {
  it('publishes through the proxy to its hosted member and installs hosted + cached packages through it', async () => {
    const registry = `${depot.url}/repository/npm-all/`;
    const pkgDir = join(work, 'local-pkg');
    mkdirSync(pkgDir);
    writeFileSync(
      join(pkgDir, 'package.json'),
      JSON.stringify({
        name: 'local-app',
        version: '1.0.0',
        main: 'index.js',
        license: 'MIT',
        dependencies: { '@up/lib': '^1.0.0' },
      }),
    );
    writeFileSync(join(pkgDir, 'index.js'), 'module.exports = () => "local+" + require("@up/lib")();\n');
    await npm(['publish', pkgDir], registry, join(work, 'depot.npmrc'));
    const hosted = await fetch(`${depot.url}/repository/npm-local/local-app`, {
      headers: { authorization: `Bearer ${depotToken}` },
    });
    expect(hosted.status).toBe(200);
    const dir = consumerDir('proxy');
    await npm(['install', 'local-app'], registry, join(work, 'depot.npmrc'), dir);
    expect((await run('node', ['-e', 'console.log(require("local-app")())'], { cwd: dir })).stdout.trim()).toBe(
      'local+upstream-lib',
    );
  });
  it('installs through the cache, and again with the upstream stopped', async () => {
    const registry = `${depot.url}/repository/npm-up/`;
    const first = consumerDir('cache');
    await npm(['install', '@up/lib'], registry, join(work, 'depot.npmrc'), first);
    expect((await run('node', ['-e', 'console.log(require("@up/lib")())'], { cwd: first })).stdout.trim()).toBe(
      'upstream-lib',
    );
    verdaccio?.kill();
    await new Promise((r) => setTimeout(r, 1500));
    const second = consumerDir('stale');
    await npm(['install', '@up/lib'], registry, join(work, 'depot.npmrc'), second);
    expect((await run('node', ['-e', 'console.log(require("@up/lib")())'], { cwd: second })).stdout.trim()).toBe(
      'upstream-lib',
    );
  });
});
