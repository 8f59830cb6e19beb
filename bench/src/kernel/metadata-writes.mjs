// Metadata writes on the level store (8 shards): batched records/s (target >= 100,000), plus
// concurrent single puts (group commit) and awaited single puts, with and without sync.
import { join } from 'node:path';
import { conditions, median, RUNS, scratch, storeLevel } from './common.mjs';

const { levelKvStore } = await storeLevel();
const RECORDS = Number(process.env.DEPOT_BENCH_RECORDS ?? 200_000);
const value = new Uint8Array(200).fill(120);
const keyOf = (run, i) => `artifact/bench-${run}/pkg-${(i * 2654435761) >>> 0}/file-${i}.tgz`;

async function timed(fn) {
  const started = process.hrtime.bigint();
  const count = await fn();
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function batched(kv, run, batchSize, parallel) {
  let next = 0;
  const worker = async () => {
    while (next < RECORDS) {
      const from = next;
      next += batchSize;
      const ops = [];
      for (let i = from; i < Math.min(from + batchSize, RECORDS); i++)
        ops.push({ type: 'put', key: keyOf(run, i), value });
      await kv.batch(ops);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return RECORDS;
}

async function concurrentPuts(kv, run, count, parallel) {
  let next = 0;
  const worker = async () => {
    while (next < count) await kv.put(keyOf(run, next++), value);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return count;
}

const results = {};
for (const sync of [true, false]) {
  const dir = await scratch('kv');
  const kv = await levelKvStore({ path: join(dir.path, 'kv'), scaling_factor: 8, sync });
  const runs = { batch1000x4: [], batch100x8: [], puts_256_concurrent: [], puts_awaited: [] };
  let run = 0;
  for (let r = 0; r < RUNS; r++) {
    runs.batch1000x4.push(await timed(() => batched(kv, run++, 1000, 4)));
    runs.batch100x8.push(await timed(() => batched(kv, run++, 100, 8)));
    runs.puts_256_concurrent.push(await timed(() => concurrentPuts(kv, run++, 50_000, 256)));
    runs.puts_awaited.push(await timed(() => concurrentPuts(kv, run++, sync ? 2_000 : 20_000, 1)));
  }
  await kv.close();
  await dir.done();
  results[sync ? 'sync' : 'no_sync'] = Object.fromEntries(
    Object.entries(runs).map(([k, v]) => [k, { median_per_s: Math.round(median(v)), runs: v.map(Math.round) }]),
  );
}
console.log(
  JSON.stringify({
    benchmark: 'metadata-writes',
    shards: 8,
    value_bytes: value.length,
    records_per_batch_run: RECORDS,
    results,
    target_batched_per_s: 100_000,
    conditions: conditions(),
  }),
);
