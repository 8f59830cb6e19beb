import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDepot } from './helpers/use-depot.js';

// pnpm speaks the same registry protocol as npm but asks for abbreviated packuments
// (`application/vnd.npm.install-v1+json`) and resolves through its own store: a second real client.
const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** The pinned pnpm: the project-local copy `npm start`/`npm test` install, else the one on PATH. */
function pnpmBinary(): string {
  const local = join(repoRoot, '.tools', 'node_modules', '.bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

const depot = useDepot();
let work: string;
let registry: string;
let npmrc: string;

beforeAll(async () => {
  const created = await depot.client.post('/api/v1/repositories', {
    name: 'npm-pnpm',
    repo_type: 'hosted',
    format: 'npm',
    store: 'default',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  registry = `${depot.url}/repository/npm-pnpm/`;
  const login = await fetch(`${depot.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: depot.adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  work = mkdtempSync(join(tmpdir(), 'depot-pnpm-'));
  npmrc = join(work, '.npmrc');
  writeFileSync(npmrc, `registry=${registry}\n${registry.replace(/^http:/, '')}:_authToken=${token}\n`);
});

afterAll(async () => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pnpm against a hosted npm repository', () => {
  it('publishes with npm, then installs with pnpm from a clean store', async () => {
    const pkg = join(work, 'pkg');
    mkdirSync(pkg);
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'pnpm-e2e-lib', version: '1.2.3', main: 'index.js' }),
    );
    writeFileSync(join(pkg, 'index.js'), 'module.exports = "from depot";\n');
    await run('npm', ['publish', '--userconfig', npmrc, '--registry', registry, '--cache', join(work, 'npm-cache')], {
      cwd: pkg,
      timeout: 120_000,
    });

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '0.0.0', private: true }));
    writeFileSync(join(app, '.npmrc'), readFileSync(npmrc));
    await run(
      pnpmBinary(),
      ['add', 'pnpm-e2e-lib@^1.2.0', '--store-dir', join(work, 'store'), '--registry', registry],
      {
        cwd: app,
        env: { ...process.env, npm_config_userconfig: npmrc },
        timeout: 120_000,
      },
    );
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['pnpm-e2e-lib']).toBe('^1.2.3');
    const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(require("pnpm-e2e-lib"))'], {
      cwd: app,
    });
    expect(stdout).toBe('from depot');
    // pnpm records the integrity Depot served; it must be the sha512 of the published tarball.
    const lock = readFileSync(join(app, 'pnpm-lock.yaml'), 'utf8');
    expect(lock).toMatch(/pnpm-e2e-lib@1\.2\.3:\s+resolution: \{integrity: sha512-/);
  });
});
