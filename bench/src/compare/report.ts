import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { fmt } from '../report/table.js';
import type { FigureResult } from './types.js';

/** Where and when a comparison ran. */
export interface RunInfo {
  readonly machine: string;
  readonly date: string;
  readonly commit: string;
  readonly node: string;
  readonly quick: boolean;
  readonly rounds: number;
  readonly durationMs: number;
}

/** Describes this machine, the date and the checked-out commit. */
export function runInfo(quick: boolean, rounds: number, durationMs: number): RunInfo {
  const cpu = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // not a git checkout
  }
  return {
    machine: `${cpu.length}x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    date: new Date().toISOString(),
    commit,
    node: process.version,
    quick,
    rounds,
    durationMs,
  };
}

function value(v: number | null, unit: string): string {
  return v === null ? 'n/a' : `${fmt(v)} ${unit}`;
}

/** The comparison as a markdown table (machine, date and commit in the heading lines). */
export function markdownReport(info: RunInfo, results: readonly FigureResult[]): string {
  const lines = [
    `machine: ${info.machine} · node ${info.node}`,
    `date: ${info.date} · commit: ${info.commit} · rounds: ${info.rounds} · ${info.durationMs / 1000} s per run${info.quick ? ' · quick' : ''}`,
    '',
    '| figure | depot | peer | peer value | ratio | target | met? | note |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const ratio = r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`;
    const met = r.met === null ? '?' : r.met ? 'yes' : 'NO';
    lines.push(
      `| ${r.title} | ${value(r.depot, r.unit)} | ${r.peer ?? '-'} | ${value(r.peerValue, r.unit)} | ${ratio} | ${r.target} | ${met} | ${(r.note ?? '').replaceAll('|', '/')} |`,
    );
  }
  return lines.join('\n');
}
