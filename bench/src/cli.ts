#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { benchMain } from './cli/bench-main.js';
import { compareMain } from './cli/compare-main.js';
import { gcScaleMain } from './cli/gc-scale-main.js';
import { demoMain, trickleMain } from './cli/seed-main.js';

const USAGE = `depot-bench <command> [options]

commands:
  demo     --url U [--user admin] --password P [--seed 42] [--repos 3] [--artifacts 50]
           [--docker-repos 2] [--images 5] [--tags 3] [--packages 4] [--versions 3] [--store-root DIR]
  trickle  --url U [--user admin] --password P [--rate 2] [--duration 10m] [--store default]
  bench    --url U [--user admin] --password P --scenario S --concurrency N (--duration D | --count C)
           [--artifact-size 1m] [--layer-size 4m] [--dedup] [--json] [--seed-objects 16]
           [--upload-mode post|post-put] [--warmup 0s] [--store default] [--store-root DIR]
           scenarios: raw-upload raw-download raw-mixed docker-push docker-pull docker-mixed
                      npm-metadata npm-tarball all
  compare  [--rounds 3] [--quick] [--only fig1,fig2] [--duration 5s] [--json] [--keep]
  gc-scale [--artifacts 1000000] [--blobs 200000] [--orphans 20000] [--dir DIR] [--json]
           generates that store, starts depot on it, times a dry and a real GC pass and their peak RSS

The password may also come from DEPOT_PASSWORD.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      url: { type: 'string' },
      user: { type: 'string', default: 'admin' },
      password: { type: 'string' },
      seed: { type: 'string' },
      repos: { type: 'string' },
      artifacts: { type: 'string' },
      'docker-repos': { type: 'string' },
      images: { type: 'string' },
      tags: { type: 'string' },
      packages: { type: 'string' },
      versions: { type: 'string' },
      'store-root': { type: 'string' },
      store: { type: 'string', default: 'default' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      scenario: { type: 'string' },
      concurrency: { type: 'string' },
      count: { type: 'string' },
      'artifact-size': { type: 'string' },
      'layer-size': { type: 'string' },
      'seed-objects': { type: 'string' },
      'upload-mode': { type: 'string' },
      warmup: { type: 'string' },
      dedup: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      blobs: { type: 'string' },
      orphans: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'demo':
      return demoMain(values);
    case 'trickle':
      return trickleMain(values);
    case 'bench':
      return benchMain(values);
    case 'compare':
      return compareMain(values);
    case 'gc-scale':
      return gcScaleMain(values);
    default:
      process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
      return 2;
  }
}

// Ctrl-C or a kill ends the run through process.exit, whose hook stops the servers it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  if (process.argv[2] !== 'trickle') process.once(signal, () => process.exit(130));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`depot-bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
