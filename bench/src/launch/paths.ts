import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the first ancestor of this file holding `pnpm-workspace.yaml`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the monorepo root (pnpm-workspace.yaml)');
    dir = up;
  }
  return dir;
}

/** The built server entry (`DEPOT_SERVER_ENTRY` overrides). */
export function serverEntry(): string {
  return process.env.DEPOT_SERVER_ENTRY ?? join(repoRoot(), 'apps', 'server', 'dist', 'cli.js');
}

/** Where scripts/install-test-deps.sh puts npm-installed peers (`DEPOT_TEST_DEPS` overrides). */
export function testDepsDir(): string {
  return process.env.DEPOT_TEST_DEPS ?? join(repoRoot(), '.test-deps');
}

/** A scratch folder for launched processes, on the same disk as the repository. */
export function scratchRoot(): string {
  return process.env.DEPOT_BENCH_TMP ?? join(repoRoot(), '.test-tmp', 'bench');
}
