import { randomInt } from 'node:crypto';
import { ensureStore } from '../http/admin-api.js';
import { authHeaders, createPool } from '../http/client.js';
import type { OpSummary } from '../load/recorder.js';
import { runLoad } from '../load/runner.js';
import { PayloadFactory } from '../payload/payload.js';
import type { UploadMode } from '../protocol/oci.js';
import { SCENARIOS } from '../scenarios/index.js';

/** Options of `depot-bench bench`. */
export interface BenchOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly scenario: string;
  readonly concurrency: number;
  readonly durationMs?: number;
  readonly count?: number;
  readonly artifactSize: number;
  readonly layerSize: number;
  readonly dedup: boolean;
  readonly store: string;
  readonly storeRoot?: string;
  readonly seedObjects: number;
  readonly uploadMode: UploadMode;
  readonly warmupMs: number;
}

/** The result of one scenario run. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly concurrency: number;
  readonly elapsedMs: number;
  readonly ops: OpSummary[];
}

/** Runs one scenario (or `all`, in sequence) against a running Depot. */
export async function runBench(o: BenchOptions): Promise<ScenarioResult[]> {
  const names = o.scenario === 'all' ? Object.keys(SCENARIOS) : o.scenario.split(',');
  for (const n of names) if (!SCENARIOS[n]) throw new Error(`unknown scenario ${n}`);
  const origin = new URL(o.url).origin;
  const headers = await authHeaders(origin, o.user, o.password);
  const pool = createPool(origin, o.concurrency);
  const ep = { pool, headers };
  const results: ScenarioResult[] = [];
  try {
    if (o.storeRoot) await ensureStore(ep, o.store, o.storeRoot);
    for (const scenario of names) {
      const factory = SCENARIOS[scenario];
      if (!factory) continue;
      const runId = `${Date.now().toString(36)}${randomInt(1296).toString(36)}`;
      const prepared = await factory({
        ep,
        origin,
        payloads: new PayloadFactory(42, randomInt(2 ** 31), o.dedup),
        artifactSize: o.artifactSize,
        layerSize: o.layerSize,
        store: o.store,
        rawRepo: 'bench-raw',
        dockerRepo: 'bench-docker',
        npmRepo: 'bench-npm',
        uploadMode: o.uploadMode,
        seedObjects: Math.max(1, o.seedObjects),
        runId,
      });
      const run = await runLoad(prepared.step, {
        concurrency: o.concurrency,
        ...(o.durationMs === undefined ? {} : { durationMs: o.durationMs }),
        ...(o.count === undefined ? {} : { count: o.count }),
        warmupMs: o.warmupMs,
        firstIndex: 0,
      });
      results.push({ scenario, concurrency: o.concurrency, elapsedMs: run.elapsedMs, ops: run.ops });
    }
  } finally {
    await pool.close();
  }
  return results;
}
