import { randomUUID } from 'node:crypto';
import { type BlobStore, DepotError, type GcPassResult, isDepotError, type Logger, runGcPass } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import type { SettingsService } from '../runtime/settings-service.js';
import type { StoreRegistry } from '../runtime/store-registry.js';
import { sleep } from './sleep.js';
import type { BackgroundWorker } from './worker.js';

/** `meta/gc`: when the last pass started, and what it did. */
export interface GcState {
  readonly last_started_at: string | null;
  readonly last_result: GcPassResult | null;
}

/** `meta/gc-lease`: which instance runs GC until when (so one instance runs it at a time). */
interface GcLease {
  readonly holder: string;
  readonly until: string;
}

/** Blob garbage collection: passes on demand and on `gc_interval_secs`, one at a time cluster-wide. */
export interface GcService {
  /**
   * Runs a pass now. `CONFLICT` while one runs, or (unless `dryRun`) before `gc_min_interval_secs`
   * has passed since the last one started, naming the seconds left.
   */
  run(options: { readonly dryRun: boolean }): Promise<GcPassResult>;
  /** The `CONFLICT`s `run` would throw, without running (a task checks them before it starts). */
  precheck(options: { readonly dryRun: boolean }): Promise<void>;
  state(): Promise<GcState>;
  /** Resolves once no pass of this instance is running (a pass already started is not stopped). */
  idle(): Promise<void>;
  /** The scheduler: a tick every `tickMs`, a pass when `gc_interval_secs` has passed. */
  readonly worker: BackgroundWorker;
}

const STATE_ID = 'gc';
const LEASE_ID = 'gc-lease';
/** `meta/gc-hold`: a backup in progress; no instance starts a real pass before `until`. */
const HOLD_ID = 'gc-hold';
const HOLD_TTL_MS = 10 * 60_000;

interface GcHold {
  readonly until: string;
}

/**
 * Holds GC off cluster-wide (a backup copies the blobs its metadata snapshot names, so none may be
 * collected meanwhile): a `meta/gc-hold` record, renewed while held, which a pass checks before it
 * starts. A crashed holder's hold lapses after ten minutes. Returns the release.
 */
export async function holdGc(records: ServerRecords, now: () => number = Date.now): Promise<() => Promise<void>> {
  const put = () => records.meta.put(HOLD_ID, { until: new Date(now() + HOLD_TTL_MS).toISOString() } satisfies GcHold);
  await put();
  const renew = setInterval(() => void put().catch(() => undefined), HOLD_TTL_MS / 4);
  renew.unref();
  return async () => {
    clearInterval(renew);
    await records.meta.delete(HOLD_ID);
  };
}

const NONE: GcState = { last_started_at: null, last_result: null };

/** Creates the GC service over the server's records, stores and settings. */
export function gcService(
  records: ServerRecords,
  stores: StoreRegistry,
  settings: SettingsService,
  logger: Logger,
  options: {
    readonly tickMs?: number;
    readonly now?: () => number;
    /** Runs before every real (not dry) pass: the repositories' cleanup policies. */
    readonly beforePass?: () => Promise<unknown>;
  } = {},
): GcService {
  const now = options.now ?? Date.now;
  const holder = randomUUID();
  let running = false;

  const state = async (): Promise<GcState> => ((await records.meta.get(STATE_ID)) as GcState | null) ?? NONE;

  /** Takes (or renews) the lease for `ttlMs`; false when another instance holds a live one. */
  const acquire = async (ttlMs: number): Promise<boolean> => {
    const current = await records.meta.getVersioned(LEASE_ID);
    const lease = current?.record as GcLease | undefined;
    if (lease !== undefined && lease.holder !== holder && Date.parse(lease.until) > now()) return false;
    const next: GcLease = { holder, until: new Date(now() + ttlMs).toISOString() };
    try {
      await records.meta.putIfVersion(LEASE_ID, next, current?.version ?? null);
      return true;
    } catch (err) {
      if (isDepotError(err, 'CONFLICT')) return false;
      throw err;
    }
  };

  const storesByName = async (): Promise<Map<string, BlobStore>> => {
    const out = new Map<string, BlobStore>();
    for await (const { record } of records.stores.scan()) out.set(record.name, await stores.get(record.name));
    return out;
  };

  const precheck = async ({ dryRun }: { dryRun: boolean }): Promise<void> => {
    if (running) throw new DepotError('CONFLICT', 'a GC pass is already running');
    const hold = (await records.meta.get(HOLD_ID)) as GcHold | null;
    if (!dryRun && hold !== null && Date.parse(hold.until) > now()) {
      throw new DepotError('CONFLICT', 'a backup is running; GC waits until it ends');
    }
    const current = settings.current();
    const last = await state();
    const since =
      last.last_started_at === null ? Number.POSITIVE_INFINITY : (now() - Date.parse(last.last_started_at)) / 1000;
    if (!dryRun && since < current.gc_min_interval_secs) {
      const left = Math.ceil(current.gc_min_interval_secs - since);
      throw new DepotError(
        'CONFLICT',
        `the last GC pass started less than gc_min_interval_secs ago; retry in ${left} s`,
        {
          details: { retry_after_secs: left },
        },
      );
    }
  };

  const run = async ({ dryRun }: { dryRun: boolean }): Promise<GcPassResult> => {
    await precheck({ dryRun });
    const current = settings.current();
    running = true;
    try {
      // The lease outlives a pass by far; a crashed holder's lease expires on its own.
      if (!(await acquire(current.gc_min_interval_secs * 1000))) {
        throw new DepotError('CONFLICT', 'another instance is running GC');
      }
      const startedAt = new Date(now()).toISOString();
      if (!dryRun && options.beforePass !== undefined) {
        // Expired artifacts go first, so this pass already starts collecting their blobs.
        await options.beforePass().catch((err: unknown) => logger.warn({ err }, 'cleanup policies failed; GC goes on'));
      }
      const result = await runGcPass({
        records,
        stores: await storesByName(),
        dryRun,
        now,
        logger,
        minAgeMs: current.gc_blob_min_age_secs * 1000,
      });
      if (!dryRun)
        await records.meta.put(STATE_ID, { last_started_at: startedAt, last_result: result } satisfies GcState);
      return result;
    } finally {
      running = false;
    }
  };

  const worker: BackgroundWorker = {
    name: 'gc',
    async run(signal) {
      while (!signal.aborted) {
        await sleep(options.tickMs ?? 60_000, signal);
        if (signal.aborted) return;
        const interval = settings.current().gc_interval_secs;
        if (interval === null || running) continue;
        const last = await state().catch(() => NONE);
        if (last.last_started_at !== null && now() - Date.parse(last.last_started_at) < interval * 1000) continue;
        try {
          await run({ dryRun: false });
        } catch (err) {
          if (!isDepotError(err, 'CONFLICT')) logger.warn({ err }, 'scheduled GC pass failed');
        }
      }
    },
  };
  const idle = async (): Promise<void> => {
    while (running) await new Promise((r) => setTimeout(r, 100));
  };
  return { run, precheck, state, idle, worker };
}
