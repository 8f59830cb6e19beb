import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dist, makeSdist, makeWheel } from '../../../packages/format-pypi/test/fixtures.js';
import { type ApiClient, api, type DepotProcess, freePort, startDepot } from './helpers/depot-process.js';

const run = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
/** The clients this file drives; a missing one fails the run (scripts/install-test-deps.sh installs them). */
const MISSING = ['twine', 'python3', 'poetry'].filter((b) => !has(b));

let depot: DepotProcess;
let client: ApiClient;
let work: string;
let token: string;
let staticServer: ChildProcess | undefined;
let staticUrl: string;

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** An index URL with the admin's credentials in it, as pip users configure private indexes. */
const indexUrl = (repo: string): string =>
  `http://admin:${encodeURIComponent(depot.adminPassword)}@127.0.0.1:${depot.port}/repository/${repo}/simple/`;

function writeDist(dist: Dist): string {
  const path = join(work, 'dist', dist.filename);
  mkdirSync(join(work, 'dist'), { recursive: true });
  writeFileSync(path, dist.bytes);
  return path;
}

/** The real twine (Debian's 4.0.2), never asking a keyring or a terminal. */
function twine(repo: string, user: string, password: string, files: readonly string[], extra: readonly string[] = []) {
  return run(
    'twine',
    [
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '--repository-url',
      `${depot.url}/repository/${repo}/`,
      '-u',
      user,
      '-p',
      password,
      ...extra,
      ...files,
    ],
    { env: { ...process.env, PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' }, timeout: 120_000 },
  );
}

/** The real pip, isolated from this machine's configuration and caches. */
function pip(args: readonly string[]) {
  return run(
    'python3',
    ['-m', 'pip', '--isolated', '--disable-pip-version-check', '--no-cache-dir', '--no-input', ...args],
    {
      cwd: work,
      timeout: 180_000,
    },
  );
}

/** `pip install --target` into a fresh directory; returns the directory. */
async function pipInstall(repo: string, requirement: readonly string[], name: string): Promise<string> {
  const target = join(work, 'targets', `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  await pip(['install', '--no-deps', '--target', target, '--index-url', indexUrl(repo), ...requirement]);
  return target;
}

/** The combined output of a client run that must fail. */
async function failureOf(running: Promise<unknown>): Promise<string> {
  try {
    await running;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string };
    return `${e.message ?? ''}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`;
  }
  throw new Error('the client run succeeded');
}

const installedVersion = (target: string, module: string): string =>
  /__version__ = "([^"]+)"/.exec(readFileSync(join(target, module, '__init__.py'), 'utf8'))?.[1] ?? '';

async function createRepo(body: Record<string, unknown>): Promise<void> {
  const res = await client.post('/api/v1/repositories', { format: 'pypi', store: 'default', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Lays out a static PEP 503 index: one relative and one absolute link. */
function writeStaticIndex(dir: string, port: number, rel: Dist, abs: Dist): void {
  mkdirSync(join(dir, 'simple', 'static-pkg'), { recursive: true });
  mkdirSync(join(dir, 'files'), { recursive: true });
  writeFileSync(join(dir, 'files', rel.filename), rel.bytes);
  writeFileSync(join(dir, 'files', abs.filename), abs.bytes);
  writeFileSync(
    join(dir, 'simple', 'index.html'),
    '<!DOCTYPE html><html><body><a href="static-pkg/">static-pkg</a></body></html>\n',
  );
  writeFileSync(
    join(dir, 'simple', 'static-pkg', 'index.html'),
    `<!DOCTYPE html><html><body>
<a href="../../files/${rel.filename}#sha256=${sha256(rel.bytes)}">${rel.filename}</a>
<a href="http://127.0.0.1:${port}/files/${abs.filename}#sha256=${sha256(abs.bytes)}" data-requires-python="&gt;=3">${abs.filename}</a>
</body></html>\n`,
  );
}

/** Debian's poetry (1.3), configured by environment only, with its own config and cache dirs. */
function poetry(cwd: string, args: readonly string[]) {
  return run('poetry', ['--no-interaction', '--no-ansi', ...args], {
    cwd,
    timeout: 180_000,
    env: {
      ...process.env,
      PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
      POETRY_CONFIG_DIR: join(work, 'poetry-config'),
      POETRY_CACHE_DIR: join(work, 'poetry-cache'),
      POETRY_VIRTUALENVS_CREATE: 'false',
      POETRY_REPOSITORIES_DEPOT_URL: `${depot.url}/repository/py/`,
      POETRY_HTTP_BASIC_DEPOT_USERNAME: '__token__',
      POETRY_HTTP_BASIC_DEPOT_PASSWORD: token,
    },
  });
}

describe('pypi clients are installed', () => {
  it('twine, poetry and python3 (pip) are on PATH', () => {
    expect(MISSING, `missing ${MISSING.join(', ')}: run scripts/install-test-deps.sh`).toEqual([]);
  });
});

describe.skipIf(MISSING.length > 0)('pypi with real clients (twine, pip, poetry)', () => {
  const demoWheel = makeWheel('Demo.Pkg', '1.0', { requiresPython: '>=3.7' });
  const demoSdist = makeSdist('Demo.Pkg', '1.0');

  beforeAll(async () => {
    depot = await startDepot();
    client = api(depot);
    work = mkdtempSync(join(tmpdir(), 'depot-pypi-'));
    await createRepo({ name: 'py', repo_type: 'hosted' });
    await createRepo({ name: 'py-up', repo_type: 'hosted' });
    await createRepo({
      name: 'py-cache',
      repo_type: 'cache',
      upstream_url: `${depot.url}/repository/py-up/simple/`,
      cache_ttl_secs: 1,
      upstream_auth: { username: 'admin', password: depot.adminPassword },
    });
    await createRepo({ name: 'py-all', repo_type: 'proxy', members: ['py', 'py-cache'], write_member: 'py' });
    const login = await client.post<{ token: string }>('/api/v1/auth/login', {
      username: 'admin',
      password: depot.adminPassword,
    });
    token = login.body.token;
    const port = await freePort();
    const staticDir = join(work, 'static');
    writeStaticIndex(staticDir, port, makeWheel('static-pkg', '1.0'), makeWheel('static-pkg', '2.0'));
    staticServer = spawn(
      'python3',
      ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', staticDir],
      { stdio: 'ignore' },
    );
    staticUrl = `http://127.0.0.1:${port}`;
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(`${staticUrl}/simple/`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await createRepo({
      name: 'py-static',
      repo_type: 'cache',
      upstream_url: `${staticUrl}/simple/`,
      cache_ttl_secs: 1,
    });
  }, 120_000);

  afterAll(async () => {
    staticServer?.kill();
    await depot?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('twine uploads a wheel and an sdist with __token__ and a Depot token; pip installs, downloads and lists them', async () => {
    await twine('py', '__token__', token, [writeDist(demoWheel), writeDist(demoSdist)]);
    const target = await pipInstall('py', ['Demo_Pkg'], 'demo');
    expect(installedVersion(target, 'demo_pkg')).toBe('1.0');

    const downloads = join(work, 'downloads');
    await pip([
      'download',
      '--no-deps',
      '--only-binary',
      ':all:',
      '-d',
      downloads,
      '--index-url',
      indexUrl('py'),
      'demo-pkg',
    ]);
    expect(readFileSync(join(downloads, demoWheel.filename)).equals(demoWheel.bytes)).toBe(true);
    await pip([
      'download',
      '--no-deps',
      '--no-binary',
      ':all:',
      '-d',
      downloads,
      '--index-url',
      indexUrl('py'),
      'demo-pkg',
    ]);
    expect(readFileSync(join(downloads, demoSdist.filename)).equals(demoSdist.bytes)).toBe(true);

    const { stdout } = await pip(['index', 'versions', '--index-url', indexUrl('py'), 'demo-pkg']);
    expect(stdout).toContain('demo-pkg (1.0)');
    // The sdist builds and installs offline (its backend is in the archive).
    const fromSource = join(work, 'targets', 'from-sdist');
    await pip([
      'install',
      '--no-deps',
      '--no-binary',
      ':all:',
      '--target',
      fromSource,
      '--index-url',
      indexUrl('py'),
      'demo-pkg',
    ]);
    expect(installedVersion(fromSource, 'demo_pkg')).toBe('1.0');
  });

  it('pip install --require-hashes takes the sha256 the index announces', async () => {
    const req = join(work, 'req.txt');
    writeFileSync(req, `demo-pkg==1.0 --hash=sha256:${sha256(demoWheel.bytes)}\n`);
    const target = join(work, 'targets', 'hashed');
    await pip([
      'install',
      '--no-deps',
      '--only-binary',
      ':all:',
      '--require-hashes',
      '-r',
      req,
      '--target',
      target,
      '--index-url',
      indexUrl('py'),
    ]);
    expect(installedVersion(target, 'demo_pkg')).toBe('1.0');
    writeFileSync(req, `demo-pkg==1.0 --hash=sha256:${'0'.repeat(64)}\n`);
    await expect(
      pip([
        'install',
        '--no-deps',
        '--only-binary',
        ':all:',
        '--require-hashes',
        '-r',
        req,
        '--target',
        join(work, 'targets', 'bad'),
        '--index-url',
        indexUrl('py'),
      ]),
    ).rejects.toThrow(/THESE PACKAGES DO NOT MATCH THE HASHES/);
  });

  it('write_policy allow_once beats allow_redeploy: twine cannot replace a file until the policy allows it', async () => {
    await createRepo({
      name: 'py-once',
      repo_type: 'hosted',
      write_policy: 'allow_once',
      format_options: { allow_redeploy: true },
    });
    const first = makeWheel('policy-pkg', '1.0');
    const other = makeWheel('policy-pkg', '1.0', { requiresPython: '>=3.8' });
    expect(other.filename).toBe(first.filename);
    await twine('py-once', 'admin', depot.adminPassword, [writeDist(first)]);
    expect(await failureOf(twine('py-once', 'admin', depot.adminPassword, [writeDist(other)]))).toMatch(/400/);
    const stored = `${depot.url}/repository/py-once/packages/policy-pkg/1.0/${first.filename}`;
    const auth = { authorization: `Bearer ${token}` };
    const held = await fetch(stored, { headers: auth });
    expect(sha256(new Uint8Array(await held.arrayBuffer()))).toBe(sha256(first.bytes));
    expect((await client.put('/api/v1/repositories/py-once', { write_policy: 'allow' })).status).toBe(200);
    await twine('py-once', 'admin', depot.adminPassword, [writeDist(other)]);
    const replaced = await fetch(stored, { headers: auth });
    expect(sha256(new Uint8Array(await replaced.arrayBuffer()))).toBe(sha256(other.bytes));
  });

  it('a second twine upload of one file is refused (400); --skip-existing passes; a wrong token is 401', async () => {
    expect(await failureOf(twine('py', '__token__', token, [writeDist(demoWheel)]))).toMatch(/400/);
    await twine('py', '__token__', token, [writeDist(demoWheel)], ['--skip-existing']);
    expect(await failureOf(twine('py', '__token__', `${token}x`, [writeDist(makeWheel('other', '1.0'))]))).toMatch(
      /401|403/,
    );
    expect(
      (await fetch(`${depot.url}/repository/py/simple/other/`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(404);
  });

  it('a yanked version is not chosen by pip install pkg, but pip install pkg==ver installs it', async () => {
    const files = ['1.0', '2.0'].map((v) => writeDist(makeWheel('yanky', v)));
    await twine('py', 'admin', depot.adminPassword, files);
    const yank = await client.put('/repository/py/pypi/yanky/2.0/yank', { reason: 'broken build' });
    expect(yank.status, JSON.stringify(yank.body)).toBe(200);
    expect(installedVersion(await pipInstall('py', ['yanky'], 'yanky'), 'yanky')).toBe('1.0');
    expect(installedVersion(await pipInstall('py', ['yanky==2.0'], 'yanky2'), 'yanky')).toBe('2.0');
    const json = await client.get<{ info: { version: string } }>('/repository/py/pypi/yanky/json');
    expect(json.body.info.version).toBe('1.0');
  });

  it('a cache of another Depot installs through pip, and a proxy merges it with a hosted member', async () => {
    await twine('py-up', 'admin', depot.adminPassword, [writeDist(makeWheel('upstream-pkg', '3.0'))]);
    expect(installedVersion(await pipInstall('py-cache', ['upstream-pkg'], 'up'), 'upstream_pkg')).toBe('3.0');
    // Through the proxy: one package from the hosted member, one from the cache member.
    expect(installedVersion(await pipInstall('py-all', ['upstream-pkg'], 'up-proxy'), 'upstream_pkg')).toBe('3.0');
    expect(installedVersion(await pipInstall('py-all', ['demo-pkg'], 'demo-proxy'), 'demo_pkg')).toBe('1.0');
    const { stdout } = await pip(['index', 'versions', '--index-url', indexUrl('py-all'), 'upstream-pkg']);
    expect(stdout).toContain('upstream-pkg (3.0)');
    // twine through the proxy lands in its write member.
    await twine('py-all', 'admin', depot.adminPassword, [writeDist(makeWheel('via-proxy', '1.0'))]);
    expect((await client.get('/repository/py/pypi/via-proxy/json')).status).toBe(200);
  });

  it('a cache of a static PEP 503 index (python3 -m http.server) keeps installing after the index is stopped', async () => {
    expect(installedVersion(await pipInstall('py-static', ['static-pkg==1.0'], 'st1'), 'static_pkg')).toBe('1.0');
    expect(installedVersion(await pipInstall('py-static', ['static-pkg'], 'st2'), 'static_pkg')).toBe('2.0');
    staticServer?.kill();
    staticServer = undefined;
    await new Promise((r) => setTimeout(r, 1500)); // past cache_ttl_secs: the page revalidation fails
    expect(installedVersion(await pipInstall('py-static', ['static-pkg==1.0'], 'st3'), 'static_pkg')).toBe('1.0');
    expect(installedVersion(await pipInstall('py-static', ['static-pkg'], 'st4'), 'static_pkg')).toBe('2.0');
    expect(existsSync(join(work, 'static'))).toBe(true);
    expect(readdirSync(join(work, 'targets')).length).toBeGreaterThan(0);
  });

  it('poetry publishes to hosted and locks a dependency from the proxy index', async () => {
    const project = join(work, 'poetry-pub');
    mkdirSync(join(project, 'dist'), { recursive: true });
    const wheel = makeWheel('poetry-made', '0.3');
    writeFileSync(join(project, 'dist', wheel.filename), wheel.bytes);
    mkdirSync(join(project, 'poetry_made'), { recursive: true });
    writeFileSync(join(project, 'poetry_made', '__init__.py'), '');
    writeFileSync(
      join(project, 'pyproject.toml'),
      '[tool.poetry]\nname = "poetry-made"\nversion = "0.3"\ndescription = "x"\nauthors = ["Depot <depot@example.com>"]\n\n[tool.poetry.dependencies]\npython = ">=3.7"\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n',
    );
    await poetry(project, ['publish', '-r', 'depot']);
    expect((await client.get('/repository/py/pypi/poetry-made/json')).status).toBe(200);

    const consumer = join(work, 'poetry-use');
    mkdirSync(consumer, { recursive: true });
    writeFileSync(
      join(consumer, 'pyproject.toml'),
      `[tool.poetry]\nname = "consumer"\nversion = "0.1"\ndescription = "x"\nauthors = ["Depot <depot@example.com>"]\n\n[tool.poetry.dependencies]\npython = ">=3.7"\npoetry-made = "0.3"\nupstream-pkg = "*"\n\n[[tool.poetry.source]]\nname = "depot"\nurl = "${indexUrl('py-all')}"\ndefault = true\n`,
    );
    await poetry(consumer, ['lock']);
    const lock = readFileSync(join(consumer, 'poetry.lock'), 'utf8');
    expect(lock).toContain('name = "poetry-made"');
    expect(lock).toContain(`sha256:${sha256(wheel.bytes)}`);
    expect(lock).toContain('name = "upstream-pkg"');
  });
});
