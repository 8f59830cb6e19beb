import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';
import { freePort } from './helpers/depot-process.js';

// A new user's first minutes, as on a machine without pnpm: a fresh clone of the committed HEAD runs
// `npm start` and `npm test` with a `pnpm` first on PATH that only exits 127, so nothing but the
// project's own pinned copy (installed by the bootstrap into .tools/) can serve turbo, the scripts
// and the tests. The PATH the suite itself runs with holds this checkout's pinned pnpm: it is
// removed, or it would hide a bootstrap that forgets to put its own copy on PATH.

const work = mkdtempSync(join(tmpdir(), 'depot-fresh-clone-'));
const clone = join(work, 'depot');
const fakeBin = join(work, 'fake-bin');
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true, maxRetries: 3 });
});

/** The environment of a newcomer's shell: no npm/pnpm run variables, a pnpm that fails first on PATH. */
function newcomerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|TURBO_|VITEST|DEPOT_)/i.test(key)) env[key] = value;
  }
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.startsWith(REPO_ROOT) && !dir.includes('node_modules'));
  env.PATH = [fakeBin, ...path].join(delimiter);
  env.NODE_ENV = 'test';
  return { ...env, ...extra };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`npm start did not serve within ${ms} ms:\n${output()}`);
}

describe('a fresh clone on a machine without pnpm', () => {
  it('`npm start` installs its own pnpm, builds and serves; `npm test` runs to its closing line', async () => {
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'pnpm'), '#!/bin/sh\nexit 127\n');
    chmodSync(join(fakeBin, 'pnpm'), 0o755);
    execFileSync('git', ['clone', '-q', REPO_ROOT, clone], { stdio: 'ignore' });
    expect(() => execFileSync('pnpm', ['--version'], { env: newcomerEnv({}), stdio: 'ignore' })).toThrow();

    // The shipped quick start, on a free port.
    const port = await freePort();
    const config = join(work, 'quickstart.toml');
    const quickstart = readFileSync(join(clone, 'config/quickstart.toml'), 'utf8');
    writeFileSync(config, quickstart.replace(/^listen = .*$/m, `listen = "127.0.0.1:${port}"`));

    let output = '';
    server = spawn('npm', ['start'], {
      cwd: clone,
      env: newcomerEnv({ DEPOT_CONFIG: config }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    server.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    server.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    await waitForHealth(`http://127.0.0.1:${port}`, server, () => output, 480_000);
    expect(output).toMatch(/Generated password for user "admin": \S+/);
    const repos = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(repos.status).toBe(200);
    const started = server;
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    if (started.pid !== undefined) process.kill(-started.pid, 'SIGTERM');
    await exited;

    // `npm test` with one small test file: install check, build, typecheck, lint, then the runner's
    // closing line. Test dependencies already installed for this run are reused.
    const testRun = spawn('npm', ['test', '--', '--project', 'core', 'src/hash/hasher.test.ts'], {
      cwd: clone,
      env: newcomerEnv({ DEPOT_TEST_DEPS: process.env.DEPOT_TEST_DEPS ?? join(REPO_ROOT, '.test-deps') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let testOutput = '';
    testRun.stdout?.on('data', (d: Buffer) => {
      testOutput += d.toString();
    });
    testRun.stderr?.on('data', (d: Buffer) => {
      testOutput += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => testRun.once('exit', (c) => resolve(c)));
    expect(testOutput).toMatch(/^[1-9]\d* passed, 0 failed/m);
    expect(code, testOutput.slice(-4000)).toBe(0);
  }, 900_000);
});
