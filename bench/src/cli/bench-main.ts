import type { UploadMode } from '../protocol/oci.js';
import { opsTable } from '../report/table.js';
import { runBench } from './bench-command.js';
import { parseCount, parseDuration, parseSize } from './units.js';
import { type CliValues, need, password, str } from './values.js';

/** `depot-bench bench`: runs a scenario and prints the per-operation table (or JSON). */
export async function benchMain(v: CliValues): Promise<number> {
  const duration = str(v, 'duration');
  const count = str(v, 'count');
  const mode = str(v, 'upload-mode', 'post');
  if (mode !== 'post' && mode !== 'post-put') throw new Error('--upload-mode must be post or post-put');
  const storeRoot = str(v, 'store-root');
  const results = await runBench({
    url: need(v, 'url'),
    user: str(v, 'user', 'admin') as string,
    password: password(v),
    scenario: need(v, 'scenario'),
    concurrency: parseCount(str(v, 'concurrency', '4') as string, '--concurrency'),
    ...(duration === undefined ? {} : { durationMs: parseDuration(duration) }),
    ...(count === undefined ? {} : { count: parseCount(count, '--count') }),
    artifactSize: parseSize(str(v, 'artifact-size', '1m') as string),
    layerSize: parseSize(str(v, 'layer-size', '4m') as string),
    dedup: v.dedup === true,
    store: str(v, 'store', 'default') as string,
    ...(storeRoot === undefined ? {} : { storeRoot }),
    seedObjects: parseCount(str(v, 'seed-objects', '16') as string, '--seed-objects'),
    uploadMode: mode as UploadMode,
    warmupMs: parseDuration(str(v, 'warmup', '0') as string),
  });
  if (v.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      process.stdout.write(`\n${r.scenario} (${r.concurrency} connections, ${(r.elapsedMs / 1000).toFixed(1)} s)\n`);
      process.stdout.write(`${opsTable(r.ops)}\n`);
    }
  }
  return results.some((r) => r.ops.some((o) => o.errors > 0)) ? 1 : 0;
}
