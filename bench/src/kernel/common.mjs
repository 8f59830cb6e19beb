// Shared helpers of the kernel benchmarks. They import the BUILT packages, so run
//   pnpm --filter @depot/core --filter @depot/store-level --filter @depot/store-fs run build
// first. Every script prints one JSON object on stdout. These are measurements, not tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = (pkg) => new URL(`../../../packages/${pkg}/dist/index.js`, import.meta.url).href;

/** The built packages. */
export const core = () => import(dist('core'));
export const storeLevel = () => import(dist('store-level'));
export const storeFs = () => import(dist('store-fs'));

export const MIB = 1024 * 1024;

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A scratch directory under `DEPOT_BENCH_DIR` (default: the OS temp dir), removed by `done()`. */
export async function scratch(prefix) {
  const base = process.env.DEPOT_BENCH_DIR ?? tmpdir();
  const path = await mkdtemp(join(base, `depot-bench-${prefix}-`));
  return { path, done: () => rm(path, { recursive: true, force: true }) };
}

/** `size` bytes in fresh `chunk`-byte arrays, generated lazily (like a network body). */
export async function* zeroStream(size, chunk = MIB) {
  for (let at = 0; at < size; at += chunk) yield new Uint8Array(Math.min(chunk, size - at));
}

/**
 * `size` bytes yielding one reused `chunk`-byte array, as `dd if=/dev/zero bs=1M` reads into one
 * buffer. Safe only for consumers that are done with a chunk when they ask for the next (ingest
 * hashes synchronously; the file store copies into its own buffers).
 */
export async function* reusedZeroStream(size, chunk = MIB) {
  const buffer = new Uint8Array(chunk);
  for (let at = 0; at < size; at += chunk) yield at + chunk <= size ? buffer : buffer.subarray(0, size - at);
}

/** Number of runs per measurement (`DEPOT_BENCH_RUNS`, default 3). */
export const RUNS = Number(process.env.DEPOT_BENCH_RUNS ?? 3);

/** The conditions of a measurement: other load on the machine skews every figure. */
export const conditions = () => ({
  cpus: cpus().length,
  loadavg_1m: Number(loadavg()[0].toFixed(2)),
  node: process.version,
});
