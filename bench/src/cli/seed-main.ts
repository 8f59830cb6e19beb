import { runDemo } from '../demo/demo.js';
import { runTrickle } from '../demo/trickle.js';
import { parseCount, parseDuration } from './units.js';
import { type CliValues, need, password, str } from './values.js';

const int = (v: CliValues, key: string, fallback: number): number => {
  const x = str(v, key);
  return x === undefined ? fallback : parseCount(x, `--${key}`);
};

/** `depot-bench demo`: seeds deterministic raw, docker and npm data and prints a summary. */
export async function demoMain(v: CliValues): Promise<number> {
  const summary = await runDemo({
    url: need(v, 'url'),
    user: str(v, 'user', 'admin') as string,
    password: password(v),
    seed: int(v, 'seed', 42),
    repos: int(v, 'repos', 3),
    artifacts: int(v, 'artifacts', 50),
    dockerRepos: int(v, 'docker-repos', 2),
    images: int(v, 'images', 5),
    tags: int(v, 'tags', 3),
    packages: int(v, 'packages', 4),
    versions: int(v, 'versions', 3),
    storeRoot: str(v, 'store-root', 'depot-data/blobs') as string,
  });
  if (v.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  for (const r of summary.raw) process.stdout.write(`raw    ${r.repo}: ${r.paths.length} artifacts\n`);
  for (const d of summary.docker) process.stdout.write(`docker ${d.repo}/${d.image}: ${d.tags.join(', ')}\n`);
  for (const p of summary.npm.packages) {
    process.stdout.write(`npm    ${summary.npm.repo} ${p.name}: ${p.versions.join(', ')}\n`);
  }
  return 0;
}

/** `depot-bench trickle`: background traffic until the duration ends or SIGINT/SIGTERM. */
export async function trickleMain(v: CliValues): Promise<number> {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const duration = str(v, 'duration');
  const counts = await runTrickle({
    url: need(v, 'url'),
    user: str(v, 'user', 'admin') as string,
    password: password(v),
    store: str(v, 'store', 'default') as string,
    rate: Number(str(v, 'rate', '2')),
    ...(duration === undefined ? {} : { durationMs: parseDuration(duration) }),
    signal: ac.signal,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  return 0;
}
