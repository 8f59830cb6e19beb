import { spawnSync } from 'node:child_process';
import { type LoadOptions, runLoad, type Step } from '../load/runner.js';
import { figure } from './figures.js';
import { type CompareSettings, type FigureResult, type Measure, type Sample, sampleOf } from './types.js';

/** The peer side of a pair: a way to measure it, or why it could not run. */
export type PeerSide = { readonly measure: Measure } | { readonly unavailable: string };

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Measures Depot and its peer alternately (A B A B …) over `rounds` and returns the medians and
 * the ratio Depot/peer. A side whose every op failed counts as unavailable, with the first error.
 */
export async function runPair(name: string, s: CompareSettings, depot: Measure, peer: PeerSide): Promise<FigureResult> {
  const def = figure(name);
  const a: number[] = [];
  const b: number[] = [];
  const notes = new Set<string>();
  const record = (side: string, sample: Sample, into: number[]): void => {
    if (sample.errors > 0) notes.add(`${side}: ${sample.errors} errors (${sample.firstError ?? '?'})`);
    if (sample.value > 0) into.push(sample.value);
  };
  for (let r = 0; r < s.rounds; r++) {
    settle();
    record('depot', await safe(depot), a);
    settle();
    if ('measure' in peer) record(def.peer ?? 'peer', await safe(peer.measure), b);
    s.log(`  ${name} round ${r + 1}/${s.rounds}: depot ${fmtList(a)} | ${def.peer ?? '-'} ${fmtList(b)}`);
  }
  if ('unavailable' in peer && def.peer) notes.add(`peer unavailable: ${peer.unavailable}`);
  const depotValue = median(a);
  const peerValue = median(b);
  const ratio = depotValue !== null && peerValue !== null && peerValue > 0 ? depotValue / peerValue : null;
  const target = def.target.kind === 'ratio' ? `>= ${def.target.min}x` : `<= ${def.target.max} MB`;
  let met: boolean | null = null;
  if (def.target.kind === 'ratio' && ratio !== null) met = ratio >= def.target.min;
  if (def.target.kind === 'max-mb' && depotValue !== null) met = depotValue <= def.target.max;
  const base: FigureResult = {
    figure: name,
    title: def.title,
    unit: def.unit,
    depot: depotValue,
    peer: def.peer,
    peerValue,
    ratio,
    target,
    met,
    depotRounds: a,
    peerRounds: b,
  };
  return notes.size > 0 ? { ...base, note: [...notes].join('; ') } : base;
}

/** A result for a figure whose Depot side could not be measured at all. */
export function failedFigure(name: string, why: string): FigureResult {
  const def = figure(name);
  return {
    figure: name,
    title: def.title,
    unit: def.unit,
    depot: null,
    peer: def.peer,
    peerValue: null,
    ratio: null,
    target: def.target.kind === 'ratio' ? `>= ${def.target.min}x` : `<= ${def.target.max} MB`,
    met: null,
    depotRounds: [],
    peerRounds: [],
    note: why,
  };
}

/**
 * Writes back every dirty page before a side runs, so the write-back a side left behind (a peer that
 * does not fsync leaves its whole run in the page cache) is not paid by the side measured next.
 */
function settle(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

async function safe(m: Measure): Promise<Sample> {
  try {
    return await m();
  } catch (err) {
    return { value: 0, errors: 1, firstError: (err as Error).message };
  }
}

function fmtList(xs: readonly number[]): string {
  return `[${xs.map((x) => x.toFixed(1)).join(', ')}]`;
}

/** A Measure that runs `step` with the settings' duration and warm-up and reads `op`'s metric. */
export function loadMeasure(
  s: CompareSettings,
  step: Step,
  op: string,
  metric: 'ops' | 'mb',
  load: Omit<LoadOptions, 'warmupMs' | 'durationMs'> & { durationMs?: number },
): Measure {
  let next = 0;
  return async () => {
    const res = await runLoad(step, { durationMs: s.durationMs, warmupMs: s.warmupMs, ...load, firstIndex: next });
    next = res.nextIndex;
    return sampleOf(res, op, metric);
  };
}
