// Durable ingest of a 1 GiB stream (BLAKE3 + fs store with fsync + level dedup record) against
// `dd if=/dev/zero of=F bs=1M count=1024 conv=fsync` on the same disk. Target: ratio >= 0.8.
// `depot` reads one reused 1 MiB buffer like dd does; `depot_fresh_chunks` allocates every chunk
// (like a network body), which adds page-fault cost to the source, not to the store.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  conditions,
  core,
  MIB,
  median,
  RUNS,
  reusedZeroStream,
  scratch,
  storeFs,
  storeLevel,
  zeroStream,
} from './common.mjs';

const SIZE = Number(process.env.DEPOT_BENCH_BYTES ?? 1024 * MIB);
const { depotRecords, ingest } = await core();
const { fsBlobStore } = await storeFs();
const { levelKvStore } = await storeLevel();
const dir = await scratch('ingest');

function ddOnce() {
  const file = join(dir.path, 'dd.bin');
  const started = process.hrtime.bigint();
  execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${SIZE / MIB}`, 'conv=fsync'], { stdio: 'ignore' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, file };
}

async function ingestOnce(blobs, records, source) {
  const started = process.hrtime.bigint();
  const result = await ingest(blobs, records, 'bench', source(SIZE), { sizeHint: SIZE });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, result };
}

const kv = await levelKvStore({ path: join(dir.path, 'kv') });
const records = depotRecords(kv);
const blobs = await fsBlobStore({ root: join(dir.path, 'blobs') });
const dd = [];
const depot = [];
const depotFresh = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const d = ddOnce();
    dd.push(SIZE / MIB / d.seconds);
    await rm(d.file);
    for (const [source, into] of [
      [reusedZeroStream, depot],
      [zeroStream, depotFresh],
    ]) {
      const i = await ingestOnce(blobs, records, source);
      into.push(SIZE / MIB / i.seconds);
      // Same bytes every run: drop the blob and its dedup record so each run really writes.
      await blobs.delete(i.result.blobId);
      await records.blobs.delete(`bench/${i.result.hashes.blake3}`);
    }
  }
} finally {
  await kv.close();
  await dir.done();
}
const ddMedian = median(dd);
const depotMedian = median(depot);
console.log(
  JSON.stringify({
    benchmark: 'durable-ingest',
    bytes: SIZE,
    runs: RUNS,
    dd_mib_s: dd.map((v) => Math.round(v)),
    depot_mib_s: depot.map((v) => Math.round(v)),
    dd_median_mib_s: Math.round(ddMedian),
    depot_median_mib_s: Math.round(depotMedian),
    depot_fresh_chunks_mib_s: depotFresh.map((v) => Math.round(v)),
    depot_fresh_chunks_median_mib_s: Math.round(median(depotFresh)),
    ratio_fresh_chunks: Number((median(depotFresh) / ddMedian).toFixed(3)),
    ratio: Number((depotMedian / ddMedian).toFixed(3)),
    // dd swings widely on a shared disk; the best dd run is the disk's capability.
    ratio_vs_best_dd: Number((depotMedian / Math.max(...dd)).toFixed(3)),
    target_ratio: 0.8,
    conditions: conditions(),
  }),
);
