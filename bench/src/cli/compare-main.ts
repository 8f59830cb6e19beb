import { runCompare } from '../compare/compare.js';
import { parseCount, parseDuration } from './units.js';
import { type CliValues, str } from './values.js';

/** `depot-bench compare`: Depot against its peers, printed as a markdown table. */
export async function compareMain(v: CliValues): Promise<number> {
  const rounds = str(v, 'rounds');
  const duration = str(v, 'duration');
  const only = str(v, 'only');
  const out = await runCompare({
    quick: v.quick === true,
    json: v.json === true,
    keep: v.keep === true,
    ...(rounds === undefined ? {} : { rounds: parseCount(rounds, '--rounds') }),
    ...(duration === undefined ? {} : { durationMs: parseDuration(duration) }),
    ...(only === undefined ? {} : { only: only.split(',').filter(Boolean) }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${out.markdown}\n`);
  if (out.jsonFile) process.stderr.write(`results written to ${out.jsonFile}\n`);
  return 0;
}
