import type { Endpoint } from '../http/client.js';
import type { LoadResult, Step } from '../load/runner.js';

/** A comparison target: `ratio >= value` against the peer, or an absolute ceiling in MB. */
export type Target =
  | { readonly kind: 'ratio'; readonly min: number }
  | { readonly kind: 'max-mb'; readonly max: number };

/** One figure of the comparison table. */
export interface FigureDef {
  readonly name: string;
  readonly title: string;
  readonly unit: 'MB/s' | 'req/s' | 'MB';
  readonly peer: string | null;
  readonly target: Target;
}

/** One measured figure: medians over rounds, the ratio and whether the target was met. */
export interface FigureResult {
  readonly figure: string;
  readonly title: string;
  readonly unit: string;
  readonly depot: number | null;
  readonly peer: string | null;
  readonly peerValue: number | null;
  readonly ratio: number | null;
  readonly target: string;
  readonly met: boolean | null;
  readonly depotRounds: number[];
  readonly peerRounds: number[];
  readonly note?: string;
}

/** Knobs shared by every group. */
export interface CompareSettings {
  readonly rounds: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly quick: boolean;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

/** One side of a pair: an endpoint plus how to measure a step on it. */
export interface Side {
  readonly label: string;
  readonly ep: Endpoint;
}

/** A measurement of one side in one round: the figure's value and the errors seen. */
export interface Sample {
  readonly value: number;
  readonly errors: number;
  readonly firstError?: string;
}

/** Turns a load result into a sample using ops/s or MB/s summed over all ops named `op`. */
export function sampleOf(res: LoadResult, op: string, metric: 'ops' | 'mb'): Sample {
  let value = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (const o of res.ops) {
    errors += o.errors;
    firstError ??= o.firstError;
    if (o.op === op) value += metric === 'ops' ? o.opsPerSec : o.mbPerSec;
  }
  return firstError === undefined ? { value, errors } : { value, errors, firstError };
}

/** A measuring function for one side (fresh step per round). */
export type Measure = () => Promise<Sample>;

/** Re-exported for group modules. */
export type { Step };
