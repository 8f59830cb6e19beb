import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGcScale } from '../src/gc-scale/gc-scale.js';
import { listRepos, searchArtifacts } from '../src/http/admin-api.js';
import { authHeaders, createPool, type Endpoint, getDrain } from '../src/http/client.js';
import { type BenchOptions, type DepotInstance, runBench, runCompare, runDemo, startDepot } from '../src/index.js';
import { repoRoot, scratchRoot, serverEntry } from '../src/launch/paths.js';
import { missingBinary } from '../src/peers/peer.js';
import { readPackument } from '../src/protocol/npm.js';
import { getManifest } from '../src/protocol/oci.js';
import { rawPath } from '../src/protocol/raw.js';

const built = existsSync(serverEntry());
const dataDir = join(scratchRoot(), `smoke-${process.pid}`);
let depot: DepotInstance;
let ep: Endpoint;

describe.skipIf(!built)('depot-bench against a real depot', () => {
  beforeAll(async () => {
    depot = await startDepot({ dataDir });
    ep = { pool: createPool(depot.url, 4), headers: await authHeaders(depot.url, depot.user, depot.password) };
  });

  afterAll(async () => {
    await ep?.pool.close();
    await depot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const opts = (scenario: string, count: number): BenchOptions => ({
    url: depot.url,
    user: depot.user,
    password: depot.password,
    scenario,
    concurrency: 4,
    count,
    artifactSize: 4096,
    layerSize: 8192,
    dedup: false,
    store: 'default',
    seedObjects: 4,
    uploadMode: 'post',
    warmupMs: 0,
  });

  const sane = (o: { p50Ms: number; p90Ms: number; p99Ms: number; opsPerSec: number }): void => {
    expect(o.p50Ms).toBeGreaterThan(0);
    expect(o.p50Ms).toBeLessThanOrEqual(o.p90Ms);
    expect(o.p90Ms).toBeLessThanOrEqual(o.p99Ms);
    expect(o.p99Ms).toBeLessThan(10_000);
    expect(o.opsPerSec).toBeGreaterThan(0);
  };

  it('bench raw-upload, raw-download and raw-mixed complete their counts without errors', async () => {
    const [up] = await runBench(opts('raw-upload', 20));
    expect(up?.ops.map((o) => [o.op, o.count, o.errors])).toEqual([['upload', 20, 0]]);
    for (const o of up?.ops ?? []) sane(o);
    expect(up?.ops[0]?.bytes).toBe(20 * 4096);

    const [down] = await runBench(opts('raw-download', 30));
    expect(down?.ops.map((o) => [o.op, o.count, o.errors])).toEqual([['download', 30, 0]]);
    expect(down?.ops[0]?.bytes).toBe(30 * 4096);
    for (const o of down?.ops ?? []) sane(o);

    const [mixed] = await runBench(opts('raw-mixed', 40));
    const byOp = Object.fromEntries((mixed?.ops ?? []).map((o) => [o.op, o]));
    expect(Object.values(byOp).reduce((n, o) => n + o.count, 0)).toBe(40);
    expect(Object.values(byOp).every((o) => o.errors === 0)).toBe(true);
    expect(byOp.download?.count).toBe(24);
    expect(byOp.upload?.count).toBe(12);
    expect(byOp.delete?.count).toBe(2);
    expect(byOp.list?.count).toBe(2);
  });

  it('demo seeds raw, docker and npm repositories that the API then serves', async () => {
    const summary = await runDemo({
      url: depot.url,
      user: depot.user,
      password: depot.password,
      seed: 7,
      repos: 1,
      artifacts: 3,
      dockerRepos: 1,
      images: 1,
      tags: 2,
      packages: 1,
      versions: 2,
      storeRoot: join(dataDir, 'demo-blobs'),
    });
    const names = (await listRepos(ep)).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['releases', 'containers', 'npm-packages']));

    const raw = summary.raw[0];
    expect(raw?.paths).toHaveLength(3);
    const listed = (await searchArtifacts(ep, 'releases', 'com/acme/')).map((a) => a.path);
    for (const path of raw?.paths ?? []) {
      expect(listed).toContain(path);
      expect(await getDrain(ep, rawPath('releases', path))).toBeGreaterThan(0);
    }

    const image = summary.docker[0];
    expect(image?.tags).toHaveLength(2);
    for (const tag of image?.tags ?? []) {
      const manifest = JSON.parse(await getManifest({ ep, name: `containers/${image?.image}` }, tag));
      expect(manifest.layers).toHaveLength(2);
    }

    const pkg = summary.npm.packages[0];
    const packument = await readPackument({ ep, base: '/repository/npm-packages', origin: depot.url }, pkg?.name ?? '');
    expect(Object.keys(packument.versions).sort()).toEqual([...(pkg?.versions ?? [])].sort());
  });

  it('compare --quick --only raw-download-1k prints a ratio against nginx', async (ctx) => {
    const why = missingBinary('nginx');
    if (why) {
      console.warn(`skipping compare against nginx: ${why}`);
      ctx.skip();
    }
    const out = await runCompare({ quick: true, only: ['raw-download-1k'], json: false, rounds: 1, log: () => {} });
    const fig = out.results.find((r) => r.figure === 'raw-download-1k');
    expect(fig?.note ?? '').not.toMatch(/unavailable|errors/);
    expect(fig?.ratio).toBeGreaterThan(0);
    expect(out.markdown).toMatch(/raw download 1 KiB @64 conns \| [\d.]+ req\/s \| nginx \| [\d.]+ req\/s \| [\d.]+x/);
  });
});

describe.skipIf(!built)('depot-bench gc-scale on a small store', () => {
  it('generates the store, runs a dry and a real pass on a real depot, and reports what they scanned', async () => {
    const dir = join(scratchRoot(), `gc-scale-smoke-${process.pid}`);
    try {
      const report = await runGcScale(dir, { artifacts: 3000, blobs: 500, orphans: 50 });
      expect(report.passes.map((p) => p.dry_run)).toEqual([true, false]);
      for (const p of report.passes) {
        expect(p.result).toMatchObject({ scanned_artifacts: 3000, scanned_blob_records: 500, scanned_blobs: 500 });
        expect(p.peak_anon_mb).toBeGreaterThan(0);
        expect(p.peak_rss_mb).toBeGreaterThanOrEqual(p.peak_anon_mb);
      }
      expect(report.passes[0]?.result.reclaimable_bytes).toBeGreaterThan(0);
      expect(report.passes[1]?.result.new_candidates).toBe(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.runIf(!built)('depot-bench smoke prerequisites', () => {
  it('needs the built server', () => {
    throw new Error(
      `${serverEntry()} is missing: build with pnpm turbo run build --filter @depot/server... (root ${repoRoot()})`,
    );
  });
});
