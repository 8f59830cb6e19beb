import { setTimeout as sleep } from 'node:timers/promises';
import { residentBytes } from '../launch/process.js';
import { runLoad } from '../load/runner.js';
import { PayloadFactory } from '../payload/payload.js';
import { rawMixed } from '../scenarios/raw.js';
import { type GroupContext, withEndpoint } from './context.js';
import { runPair } from './harness.js';
import type { FigureResult } from './types.js';

const MB = 1e6;

/** Depot's resident memory right after start-up (after a 2 s settle), from /proc/PID/status. */
export async function rssIdle(g: GroupContext): Promise<FigureResult[]> {
  if (!g.selected.has('rss-idle')) return [];
  await sleep(2000);
  return [
    await runPair(
      'rss-idle',
      { ...g.settings, rounds: 1 },
      async () => {
        const rss = await residentBytes(g.depot.process.pid);
        return rss === null
          ? { value: 0, errors: 1, firstError: 'cannot read /proc/PID/status' }
          : { value: rss / MB, errors: 0 };
      },
      { unavailable: 'absolute target, no peer' },
    ),
  ];
}

/** Depot's peak resident memory while raw-mixed (1 MiB objects) runs at 64 connections. */
export async function rssMixed(g: GroupContext): Promise<FigureResult[]> {
  if (!g.selected.has('rss-mixed')) return [];
  const s = g.settings;
  s.log('rss-mixed: raw-mixed, 1 MiB objects, 64 connections, VmRSS sampled every 100 ms');
  return withEndpoint(g.depot.url, g.depotHeaders, 64, async (ep) => {
    const scenario = await rawMixed({
      ep,
      origin: g.depot.url,
      payloads: new PayloadFactory(41, Date.now() % 2 ** 31),
      artifactSize: 1024 * 1024,
      layerSize: 0,
      store: 'default',
      rawRepo: 'cmp-mixed',
      dockerRepo: '',
      npmRepo: '',
      uploadMode: 'post',
      seedObjects: 32,
      runId: `rss${Date.now().toString(36)}`,
    });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await residentBytes(g.depot.process.pid)) ?? 0);
        await sleep(100);
      }
    })();
    let errors = 0;
    let firstError: string | undefined;
    try {
      const res = await runLoad(scenario.step, { concurrency: 64, durationMs: s.durationMs * 2 });
      for (const o of res.ops) {
        errors += o.errors;
        firstError ??= o.firstError;
        s.log(`  rss-mixed ${o.op}: ${o.count} ok, ${o.errors} errors, ${o.opsPerSec.toFixed(0)} ops/s`);
      }
    } finally {
      sampling = false;
      await sampler;
    }
    const sample = { value: peak / MB, errors, ...(firstError ? { firstError } : {}) };
    return [
      await runPair('rss-mixed', { ...s, rounds: 1 }, async () => sample, { unavailable: 'absolute target, no peer' }),
    ];
  });
}
