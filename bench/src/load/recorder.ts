/** Summary of one operation kind over a run. */
export interface OpSummary {
  readonly op: string;
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly opsPerSec: number;
  readonly mbPerSec: number;
  readonly bytes: number;
  readonly firstError?: string;
}

interface OpAccumulator {
  latencies: number[];
  errors: number;
  bytes: number;
  firstError?: string;
}

/** Records latency, bytes and errors per operation name. */
export class Recorder {
  private readonly ops = new Map<string, OpAccumulator>();

  /** Times `fn` (which returns the bytes it moved) under `op`; a throw counts as an error, not a latency. */
  async time(op: string, fn: () => Promise<number>): Promise<boolean> {
    const acc = this.acc(op);
    const t0 = performance.now();
    try {
      const bytes = await fn();
      acc.latencies.push(performance.now() - t0);
      acc.bytes += bytes;
      return true;
    } catch (err) {
      this.error(op, err);
      return false;
    }
  }

  /** Counts an error under `op` without a latency sample. */
  error(op: string, err: unknown): void {
    const acc = this.acc(op);
    acc.errors++;
    acc.firstError ??= err instanceof Error ? err.message : String(err);
  }

  /** Per-operation summaries over a run that lasted `elapsedMs`, in first-seen order. */
  summarize(elapsedMs: number): OpSummary[] {
    const secs = Math.max(elapsedMs, 1) / 1000;
    return [...this.ops].map(([op, a]) => {
      const sorted = Float64Array.from(a.latencies).sort();
      const base = {
        op,
        count: sorted.length,
        errors: a.errors,
        p50Ms: percentile(sorted, 0.5),
        p90Ms: percentile(sorted, 0.9),
        p99Ms: percentile(sorted, 0.99),
        opsPerSec: sorted.length / secs,
        mbPerSec: a.bytes / 1e6 / secs,
        bytes: a.bytes,
      };
      return a.firstError === undefined ? base : { ...base, firstError: a.firstError };
    });
  }

  private acc(op: string): OpAccumulator {
    let acc = this.ops.get(op);
    if (!acc) {
      acc = { latencies: [], errors: 0, bytes: 0 };
      this.ops.set(op, acc);
    }
    return acc;
  }
}

/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? 0;
}
