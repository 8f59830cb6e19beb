import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ArtifactRecord, type BlobRecord, blake3Hex, depotRecords, type KvBatchOp } from '@depot/core';
import { fsBlobStore } from '@depot/store-fs';
import { levelKvStore } from '@depot/store-level';
import { startDepot } from '../launch/depot.js';

/** What `gc-scale` generates: artifact records over `blobs` blobs, `orphans` of them unreferenced. */
export interface GcScaleShape {
  readonly artifacts: number;
  readonly blobs: number;
  readonly orphans: number;
}

/** Resident memory of `pid` in bytes: all of it, and the anonymous part (heap, stacks, caches). */
async function resident(pid: number): Promise<{ rss: number; anon: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon') };
  } catch {
    return null;
  }
}

/** One GC pass as measured from outside the server. */
export interface MeasuredPass {
  readonly dry_run: boolean;
  readonly wall_ms: number;
  /** VmRSS: includes LevelDB's table files, which it maps into memory as it reads them. */
  readonly peak_rss_mb: number;
  /** RssAnon: the memory the process allocated (what the goal bounds). */
  readonly peak_anon_mb: number;
  readonly result: Record<string, unknown>;
}

/** The `gc-scale` report. */
export interface GcScaleReport {
  readonly shape: GcScaleShape;
  readonly generated_secs: number;
  readonly idle_rss_mb: number;
  readonly idle_anon_mb: number;
  readonly passes: readonly MeasuredPass[];
  readonly goal: { readonly max_pass_secs: number; readonly max_anon_mb: number; readonly met: boolean };
}

const OLD = '2026-01-01T00:00:00.000Z';

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
const BATCH = 2000;
const MB = 1024 * 1024;

/**
 * Writes the shape straight into a LevelDB KV and a file store under `dir` (the layout the bench
 * launcher's depot uses): a hosted raw repository `scale`, `blobs` tiny blobs with their dedup
 * records (created long ago, so GC may take them), and `artifacts` artifact records spread over
 * the first `blobs - orphans` blobs. Much faster than uploading through HTTP, and the server
 * cannot tell the difference.
 */
async function generate(dir: string, shape: GcScaleShape, log: (line: string) => void): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const kv = await levelKvStore({ path: join(dir, 'kv') });
  const root = join(dir, 'blobs');
  const store = await fsBlobStore({ root, sync: false });
  const records = depotRecords(kv);
  try {
    await records.stores.put('default', {
      name: 'default',
      store_type: 'file',
      options: { root },
      created_at: OLD,
      updated_at: OLD,
    });
    await records.repositories.put('scale', {
      name: 'scale',
      repo_type: 'hosted',
      format: 'raw',
      store: 'default',
      created_at: OLD,
      updated_at: OLD,
    });
    const live: { id: string; blake3: string; size: number }[] = [];
    let ops: KvBatchOp[] = [];
    const flush = async () => {
      if (ops.length > 0) await kv.batch(ops);
      ops = [];
    };
    for (let i = 0; i < shape.blobs; i++) {
      const bytes = Buffer.from(`gc-scale blob ${i}\n`);
      const put = await store.put(once(bytes), { sizeHint: bytes.byteLength });
      const blake3 = blake3Hex(bytes);
      const record: BlobRecord = {
        store: 'default',
        blob_id: put.id,
        size: put.size,
        hashes: { blake3 },
        created_at: OLD,
      };
      ops.push({ type: 'put', key: `${records.blobs.prefix}default/${blake3}`, value: records.blobs.encode(record) });
      if (i < shape.blobs - shape.orphans) live.push({ id: put.id, blake3, size: put.size });
      if (ops.length >= BATCH) await flush();
      if ((i + 1) % 50_000 === 0) log(`blobs ${i + 1}/${shape.blobs}`);
    }
    await flush();
    for (let i = 0; i < shape.artifacts; i++) {
      const blob = live[i % live.length] as (typeof live)[number];
      const path = `p${i % 1000}/artifact-${i}.bin`;
      const record: ArtifactRecord = {
        repo: 'scale',
        path,
        store: 'default',
        blob_id: blob.id,
        size: blob.size,
        content_type: 'application/octet-stream',
        hashes: { blake3: blob.blake3 },
        created_at: OLD,
        updated_at: OLD,
        last_accessed_at: OLD,
      };
      ops.push({
        type: 'put',
        key: `${records.artifacts.prefix}scale/${path}`,
        value: records.artifacts.encode(record),
      });
      if (ops.length >= BATCH) await flush();
      if ((i + 1) % 200_000 === 0) log(`artifacts ${i + 1}/${shape.artifacts}`);
    }
    await flush();
  } finally {
    await store.close?.();
    await kv.close();
  }
}

/**
 * `depot-bench gc-scale`: generates a store of the given shape under `dir` (replacing it), starts a
 * real depot on it and runs GC passes through `POST /api/v1/tasks/gc?wait=true` — a dry run, then
 * a real pass — sampling the server's memory every 50 ms. The goal: a pass within 60 s and the
 * server's allocated (anonymous) memory within 256 MB throughout. Total RSS is reported too; it
 * also counts the pages of LevelDB table files mapped while reading (clean page cache the kernel
 * reclaims under pressure), which grow with the size of the store, not with what GC holds.
 */
export async function runGcScale(
  dir: string,
  shape: GcScaleShape,
  log: (line: string) => void = () => undefined,
): Promise<GcScaleReport> {
  // Generated afresh every run: a pass changes the store (and starts gc_min_interval_secs).
  const t0 = performance.now();
  await generate(dir, shape, log);
  const generatedSecs = Math.round((performance.now() - t0) / 100) / 10;
  log(`generated in ${generatedSecs} s`);
  const depot = await startDepot({ dataDir: dir, timeoutMs: 120_000 });
  const pid = depot.process.pid;
  const auth = `Basic ${Buffer.from(`${depot.user}:${depot.password}`).toString('base64')}`;
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = (await resident(pid)) ?? { rss: 0, anon: 0 };
    const passes: MeasuredPass[] = [];
    for (const dryRun of [true, false]) {
      let peak = 0;
      let peakAnon = 0;
      const sampler = setInterval(() => {
        void resident(pid).then((m) => {
          if (m === null) return;
          peak = Math.max(peak, m.rss);
          peakAnon = Math.max(peakAnon, m.anon);
        });
      }, 50);
      const t = performance.now();
      const res = await fetch(`${depot.url}/api/v1/tasks/gc?wait=true`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ dry_run: dryRun }),
        signal: AbortSignal.timeout(600_000),
      });
      const wall = performance.now() - t;
      clearInterval(sampler);
      const body = (await res.json()) as { status?: string; result?: Record<string, unknown>; error?: unknown };
      if (res.status !== 200 || body.status !== 'completed') {
        throw new Error(`GC task answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
      }
      const pass = {
        dry_run: dryRun,
        wall_ms: Math.round(wall),
        peak_rss_mb: Math.round(peak / MB),
        peak_anon_mb: Math.round(peakAnon / MB),
        result: body.result ?? {},
      };
      log(
        `${dryRun ? 'dry run' : 'pass'}: ${pass.wall_ms} ms, peak RSS ${pass.peak_rss_mb} MB (anonymous ${pass.peak_anon_mb} MB)`,
      );
      passes.push(pass);
    }
    const met = passes.every((p) => p.wall_ms <= 60_000 && p.peak_anon_mb <= 256);
    return {
      shape,
      generated_secs: generatedSecs,
      idle_rss_mb: Math.round(idle.rss / MB),
      idle_anon_mb: Math.round(idle.anon / MB),
      passes,
      goal: { max_pass_secs: 60, max_anon_mb: 256, met },
    };
  } finally {
    await depot.stop();
  }
}
