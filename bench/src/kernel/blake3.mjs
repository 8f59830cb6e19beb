// BLAKE3 throughput of the kernel's hasher (1 MiB updates over 1 GiB). Target: >= 2 GB/s.
import { conditions, core, MIB, median, RUNS } from './common.mjs';

const { blake3Implementation, createBlake3, createMultiHasher } = await core();
const TOTAL = Number(process.env.DEPOT_BENCH_BYTES ?? 1024 * MIB);
const chunk = new Uint8Array(MIB).map((_, i) => (i * 31) & 0xff);

function rate(make) {
  const h = make();
  const started = process.hrtime.bigint();
  for (let done = 0; done < TOTAL; done += chunk.length) h.update(chunk);
  if ('digestHex' in h) h.digestHex();
  else h.digest();
  return TOTAL / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9);
}

const blake3 = [];
const withSha256 = [];
for (let r = 0; r < RUNS; r++) {
  blake3.push(rate(() => createBlake3()));
  withSha256.push(rate(() => createMultiHasher(['sha256'])));
}
console.log(
  JSON.stringify({
    benchmark: 'blake3',
    implementation: typeof blake3Implementation === 'function' ? blake3Implementation() : blake3Implementation,
    bytes: TOTAL,
    blake3_mb_s: Math.round(median(blake3)),
    blake3_plus_sha256_mb_s: Math.round(median(withSha256)),
    runs: blake3.map(Math.round),
    target_mb_s: 2000,
    conditions: conditions(),
  }),
);
