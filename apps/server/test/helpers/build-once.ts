import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (…/apps/server/test/helpers → …). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The built CLI every end-to-end test spawns. */
export const CLI_PATH = join(REPO_ROOT, 'apps/server/dist/cli.js');

/** The server's sources and those of the workspace packages it runs with. */
function sourceDirs(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/server/package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@depot/'));
  return ['apps/server/src', ...deps.map((d) => `packages/${d.slice('@depot/'.length)}/src`)];
}
let built = false;
// Test-only trees do not change the built server.
const SKIP_DIRS = new Set(['node_modules', 'dist', 'test', 'bench']);

function newestSource(dir: string): number {
  let newest = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (SKIP_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) || entry.name === 'package.json')
      newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  let cliTime: number;
  try {
    cliTime = statSync(CLI_PATH).mtimeMs;
  } catch {
    return false;
  }
  return sourceDirs().every((d) => newestSource(join(REPO_ROOT, d)) <= cliTime);
}

/**
 * Builds `@depot/server` and its workspace dependencies when `dist/cli.js` is missing or older than
 * any source file. Test files run in parallel forks, so the build runs under `flock` (turbo's cache
 * makes the second caller's build a no-op).
 */
export function ensureBuilt(): void {
  if (built || process.env.DEPOT_SKIP_BUILD === '1') return;
  if (!isFresh()) {
    try {
      execFileSync(
        'flock',
        [
          '/tmp/depot-server-build.lock',
          'pnpm',
          'turbo',
          'run',
          'build',
          '--filter',
          '@depot/server...',
          '--output-logs=errors-only',
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 },
      );
    } catch (err) {
      const out = err as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`building @depot/server failed:\n${String(out.stdout ?? '')}\n${String(out.stderr ?? '')}`);
    }
  }
  built = true;
}
