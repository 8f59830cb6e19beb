import { join } from 'node:path';
import { runGcScale } from '../gc-scale/gc-scale.js';
import { scratchRoot } from '../launch/paths.js';
import { parseCount } from './units.js';
import { type CliValues, str } from './values.js';

const int = (v: CliValues, key: string, fallback: number): number => {
  const x = str(v, key);
  return x === undefined ? fallback : parseCount(x, `--${key}`);
};

/** `depot-bench gc-scale`: GC pass time and peak RSS over a generated store. */
export async function gcScaleMain(v: CliValues): Promise<number> {
  const shape = {
    artifacts: int(v, 'artifacts', 1_000_000),
    blobs: int(v, 'blobs', 200_000),
    orphans: int(v, 'orphans', 20_000),
  };
  if (shape.orphans >= shape.blobs) throw new Error('--orphans must be fewer than --blobs');
  const dir = str(v, 'dir') ?? join(scratchRoot(), 'gc-scale');
  const report = await runGcScale(dir, shape, (line) => process.stderr.write(`gc-scale: ${line}\n`));
  if (v.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.goal.met ? 0 : 1;
  }
  process.stdout.write(
    `store: ${shape.artifacts} artifact records, ${shape.blobs} blobs (${shape.orphans} orphaned), generated in ${report.generated_secs} s\n`,
  );
  process.stdout.write(`idle: RSS ${report.idle_rss_mb} MB, anonymous ${report.idle_anon_mb} MB\n`);
  for (const p of report.passes) {
    const r = p.result;
    process.stdout.write(
      `${p.dry_run ? 'dry run ' : 'real pass'}: ${(p.wall_ms / 1000).toFixed(1)} s, peak anonymous ${p.peak_anon_mb} MB, RSS ${p.peak_rss_mb} MB ` +
        `(scanned ${r.scanned_artifacts} artifacts, ${r.scanned_blob_records} blob records, ${r.scanned_blobs} blobs; ` +
        `new candidates ${r.new_candidates})\n`,
    );
  }
  process.stdout.write(`goal (pass ≤ 60 s, anonymous memory ≤ 256 MB): ${report.goal.met ? 'met' : 'NOT met'}\n`);
  return report.goal.met ? 0 : 1;
}
