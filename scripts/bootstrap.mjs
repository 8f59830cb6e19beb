#!/usr/bin/env node
// The two commands of a fresh clone: `npm start` and `npm test` (plus `npm run bench`).
// Installs what is missing (pnpm, workspace packages, and — as root — the system clients the
// end-to-end tests drive), builds, then starts the server or runs the whole suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', DO_NOT_TRACK: '1' };

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(cmd, args, what) {
  const status = run(cmd, args);
  if (status !== 0) {
    console.error(`depot: ${what} failed (exit ${status})`);
    process.exit(status);
  }
}

/** pnpm at the pinned version: the one on PATH if it matches, else a project-local copy. */
function pnpm() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (onPath.status === 0 && onPath.stdout.trim() === PNPM_VERSION) return 'pnpm';
  const local = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (!existsSync(local)) {
    console.error(`depot: installing pnpm ${PNPM_VERSION} into .tools/`);
    mkdirSync(join(root, '.tools'), { recursive: true });
    must(
      'npm',
      ['install', '--prefix', join(root, '.tools'), '--no-audit', '--no-fund', `pnpm@${PNPM_VERSION}`],
      'installing pnpm',
    );
  }
  // Every child (turbo, pnpm scripts, tests that shell out to pnpm) must find this copy, first.
  env.PATH = [dirname(local), env.PATH].filter(Boolean).join(delimiter);
  return local;
}

function installWorkspace(pm) {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  must(pm, ['install', '--frozen-lockfile'], 'pnpm install');
}

function build(pm) {
  must(pm, ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], 'build');
}

const command = process.argv[2];
const pm = pnpm();
installWorkspace(pm);

if (command === 'start') {
  build(pm);
  const args = ['apps/server/dist/cli.js', '-c', process.env.DEPOT_CONFIG ?? 'config/quickstart.toml'];
  process.exit(run(process.execPath, args));
} else if (command === 'test') {
  if (process.getuid?.() === 0) must('bash', ['scripts/install-test-deps.sh'], 'installing test dependencies');
  else console.error('depot: not root: skipping system test dependencies (tests needing them say so)');
  build(pm);
  must(pm, ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'], 'typecheck');
  must(pm, ['exec', 'biome', 'check', '.'], 'lint');
  process.exit(run(process.execPath, ['scripts/run-tests.mjs', ...process.argv.slice(3)]));
} else if (command === 'bench') {
  build(pm);
  process.exit(run(process.execPath, ['bench/dist/cli.js', 'compare', ...process.argv.slice(3)]));
} else {
  console.error('usage: node scripts/bootstrap.mjs start|test|bench');
  process.exit(2);
}
