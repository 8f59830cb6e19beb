import { type OpSummary, Recorder } from './recorder.js';

/** One unit of work; `i` is a run-wide sequence number. Time the interesting parts with `rec.time`. */
export type Step = (rec: Recorder, i: number) => Promise<void>;

/** How long and how wide a run is. Without `count` or `durationMs` a run lasts 10 s. */
export interface LoadOptions {
  readonly concurrency: number;
  readonly durationMs?: number;
  readonly count?: number;
  /** Hard time cap for count-bounded runs (default 10 min), so a run always stops by itself. */
  readonly maxMs?: number;
  /** Untimed warm-up before the measured run (connections, caches). */
  readonly warmupMs?: number;
  /** Sequence numbers start here, so successive runs never reuse an object's number. */
  readonly firstIndex?: number;
  readonly signal?: AbortSignal;
}

/** The result of a run: per-op summaries, wall time, and the next free sequence number. */
export interface LoadResult {
  readonly ops: OpSummary[];
  readonly elapsedMs: number;
  readonly nextIndex: number;
}

/** Runs `step` on `concurrency` workers until the count is reached or the time is up. */
export async function runLoad(step: Step, opts: LoadOptions): Promise<LoadResult> {
  let next = opts.firstIndex ?? 0;
  if (opts.warmupMs && opts.warmupMs > 0) {
    const warm = await loop(step, new Recorder(), opts.concurrency, next, opts.warmupMs, undefined, opts.signal);
    next = warm.next;
  }
  const rec = new Recorder();
  const durationMs = opts.durationMs ?? (opts.count === undefined ? 10_000 : (opts.maxMs ?? 600_000));
  const t0 = performance.now();
  const done = await loop(step, rec, opts.concurrency, next, durationMs, opts.count, opts.signal);
  const elapsedMs = performance.now() - t0;
  return { ops: rec.summarize(elapsedMs), elapsedMs, nextIndex: done.next };
}

async function loop(
  step: Step,
  rec: Recorder,
  concurrency: number,
  first: number,
  durationMs: number,
  count: number | undefined,
  signal: AbortSignal | undefined,
): Promise<{ next: number }> {
  let next = first;
  const last = count === undefined ? Number.POSITIVE_INFINITY : first + count;
  const deadline = performance.now() + durationMs;
  const worker = async (): Promise<void> => {
    while (next < last && performance.now() < deadline && !signal?.aborted) {
      const i = next++;
      try {
        await step(rec, i);
      } catch (err) {
        rec.error('step', err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { next };
}
