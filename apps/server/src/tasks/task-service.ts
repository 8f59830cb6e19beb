import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DepotError, isDepotError, type Logger, notFound } from '@depot/core';
import type { ServerRecords, TaskRecord } from '../records/server-records.js';

/** What a running task may report. */
export interface TaskProgress {
  readonly phase?: string;
  readonly done?: number;
  readonly total?: number;
  readonly bytes?: number;
}

/** Handed to a task's `run`: cancellation, progress and log lines. */
export interface TaskContext {
  /** Aborts when the task is cancelled (`POST /api/v1/tasks/{id}/cancel`) or the server stops. */
  readonly signal: AbortSignal;
  /** Merges `update` into the task's progress (written to KV at most once a second, events at once). */
  progress(update: TaskProgress): void;
  /** Appends a line to the task's log (the last 100 are kept). */
  log(line: string): void;
}

/** A kind of task: how it checks its parameters up front and how it runs. */
export interface TaskKind<P = Record<string, unknown>> {
  readonly kind: string;
  /** Validates and normalises the request body; throws `BAD_REQUEST`/`CONFLICT` before anything starts. */
  prepare(params: unknown): Promise<P> | P;
  run(params: P, ctx: TaskContext): Promise<unknown>;
}

/** A task kind with its parameter type forgotten, as the service holds every kind. */
export type AnyTaskKind = TaskKind<unknown>;

/** Forgets `kind`'s parameter type (its own `prepare` produces what its `run` takes). */
export const taskKind = <P>(kind: TaskKind<P>): AnyTaskKind => kind as unknown as AnyTaskKind;

/** A task as stored and shown: the record plus live fields. */
export type TaskView = TaskRecord & {
  readonly phase?: string;
  readonly log?: readonly string[];
  readonly actor?: string;
  readonly eta_secs?: number;
};

/** Starts, tracks, cancels and forgets background tasks, one at a time per kind on this instance. */
export interface TaskService {
  readonly kinds: ReadonlySet<string>;
  /** Starts a task of `kind`; its record as first stored. `CONFLICT` while one of that kind runs. */
  start(kind: string, params: unknown, actor: string): Promise<TaskView>;
  get(id: string): Promise<TaskView>;
  /** Newest first; finished tasks older than `task_retention_secs` are removed as a side effect. */
  list(filter?: { readonly kind?: string; readonly status?: string }): Promise<TaskView[]>;
  /** Resolves once task `id` has finished (completed, failed or cancelled), with its final record. */
  wait(id: string): Promise<TaskView>;
  cancel(id: string): Promise<TaskView>;
  /** Deletes a finished task's record; `CONFLICT` while it runs. */
  remove(id: string): Promise<void>;
  /** Every change to any task, for the events stream. */
  readonly events: EventEmitter<{ task: [TaskView] }>;
  /** Cancels every running task (shutdown). */
  stop(): Promise<void>;
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
/** Task kinds of other products with nothing to do here, and why (in the 404 that names them). */
const NOT_NEEDED: Readonly<Record<string, string>> = {
  'rebuild-dir-entries':
    ': directory listings (with their counts and sizes) are computed from the artifact records on every browse, so there is no index to rebuild',
};
const MAX_LOG_LINES = 100;
/** A running task renews its record this often… */
export const TASK_HEARTBEAT_MS = 30_000;
/** …and one whose record went this long without it lost its process. */
export const TASK_STALE_MS = 4 * TASK_HEARTBEAT_MS;

/** Creates the task service over the server's records. */
export function createTaskService(
  records: ServerRecords,
  kinds: readonly AnyTaskKind[],
  logger: Logger,
  options: {
    readonly retentionSecs: () => number;
    readonly now?: () => number;
    /**
     * One process owns the store (LevelDB): a `running` record this process does not run was left by
     * an earlier one. Otherwise (a cluster) only a stale heartbeat says so.
     */
    readonly singleNode?: boolean;
  },
): TaskService {
  const now = options.now ?? Date.now;
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const running = new Map<string, { id: string; abort: AbortController; done: Promise<void>; view: () => TaskView }>();
  const events = new EventEmitter<{ task: [TaskView] }>();
  events.setMaxListeners(0);
  const instance = randomUUID();
  const iso = () => new Date(now()).toISOString();

  /**
   * A `running` record no live process runs (its server was killed or crashed) is settled as
   * `failed` the first time anyone looks at it, so it neither shows as running forever nor blocks.
   */
  const settleOrphan = async (record: TaskView): Promise<TaskView> => {
    if (record.status !== 'running' || [...running.values()].some((r) => r.id === record.id)) return record;
    const beat = Date.parse(record.heartbeat_at ?? record.started_at ?? record.created_at);
    const orphaned = options.singleNode === true || !(now() - beat < TASK_STALE_MS);
    if (!orphaned) return record;
    const { eta_secs: _eta, ...rest } = record;
    const settled: TaskView = {
      ...rest,
      status: 'failed',
      completed_at: iso(),
      error: 'interrupted: the server running it stopped before it finished',
    };
    await records.tasks.put(record.id, settled);
    return settled;
  };

  const get = async (id: string): Promise<TaskView> => {
    for (const r of running.values()) if (r.id === id) return r.view();
    const record = await records.tasks.get(id);
    if (record === null) throw notFound(`task ${id} not found`);
    return settleOrphan(record as TaskView);
  };

  async function start(kind: string, params: unknown, actor: string): Promise<TaskView> {
    const def = byKind.get(kind);
    if (def === undefined) throw notFound(`no task kind ${kind}${NOT_NEEDED[kind] ?? ''}`);
    if (running.has(kind))
      throw new DepotError('CONFLICT', `a ${kind} task is already running`, { details: { id: running.get(kind)?.id } });
    const prepared = await def.prepare(params);
    // Checked again: `prepare` may have awaited while another request started one.
    if (running.has(kind)) throw new DepotError('CONFLICT', `a ${kind} task is already running`);
    const id = randomUUID();
    const abort = new AbortController();
    let view: TaskView = {
      id,
      kind,
      params: (prepared ?? {}) as Record<string, unknown>,
      status: 'running',
      created_at: iso(),
      started_at: iso(),
      progress: {},
      owner_instance_id: instance,
      actor,
      log: [],
    };
    let lastWrite = 0;
    const publish = (force: boolean): void => {
      events.emit('task', view);
      if (!force && now() - lastWrite < 1000) return;
      lastWrite = now();
      records.tasks.put(id, view).catch((err: unknown) => logger.warn({ err, task: id }, 'task record write failed'));
    };
    const started = now();
    const ctx: TaskContext = {
      signal: abort.signal,
      progress(update) {
        const progress = { ...(view.progress ?? {}), ...update } as Record<string, number | string>;
        delete progress.phase;
        const { done, total } = progress as { done?: number; total?: number };
        const elapsed = (now() - started) / 1000;
        const eta =
          typeof done === 'number' && typeof total === 'number' && done > 0 && total > done
            ? Math.round((elapsed / done) * (total - done))
            : undefined;
        view = {
          ...view,
          progress,
          ...(update.phase === undefined ? {} : { phase: update.phase }),
          ...(eta === undefined ? {} : { eta_secs: eta }),
        };
        publish(false);
      },
      log(line) {
        view = { ...view, log: [...(view.log ?? []), `${iso()} ${line}`].slice(-MAX_LOG_LINES) };
        publish(false);
      },
    };
    await records.tasks.put(id, view);
    events.emit('task', view);
    const heartbeat = setInterval(() => {
      view = { ...view, heartbeat_at: iso() };
      publish(true);
    }, TASK_HEARTBEAT_MS);
    heartbeat.unref();
    const done = (async () => {
      try {
        const result = await def.run(prepared, ctx);
        const cancelled = abort.signal.aborted;
        view = { ...view, status: cancelled ? 'cancelled' : 'completed', completed_at: iso(), result: result ?? null };
      } catch (err) {
        const cancelled = abort.signal.aborted;
        view = {
          ...view,
          status: cancelled ? 'cancelled' : 'failed',
          completed_at: iso(),
          error: isDepotError(err) ? err.message : String(err),
        };
        if (!cancelled) logger.warn({ err, task: id, kind }, 'task failed');
      } finally {
        clearInterval(heartbeat);
        const { eta_secs: _eta, ...final } = view;
        view = final;
        running.delete(kind);
        await records.tasks
          .put(id, view)
          .catch((err: unknown) => logger.warn({ err, task: id }, 'task record write failed'));
        events.emit('task', view);
      }
    })();
    running.set(kind, { id, abort, done, view: () => view });
    return view;
  }

  async function prune(): Promise<void> {
    const cutoff = now() - options.retentionSecs() * 1000;
    for await (const { id, record } of records.tasks.scan()) {
      const finished = record.completed_at === undefined ? Number.NaN : Date.parse(record.completed_at);
      if (FINISHED.has(record.status) && finished < cutoff) await records.tasks.delete(id).catch(() => false);
    }
  }

  return {
    kinds: new Set(byKind.keys()),
    start,
    get,
    async list(filter = {}) {
      await prune();
      const out: TaskView[] = [];
      for await (const { record } of records.tasks.scan()) {
        const live =
          [...running.values()].find((r) => r.id === record.id)?.view() ?? (await settleOrphan(record as TaskView));
        if (filter.kind !== undefined && live.kind !== filter.kind) continue;
        if (filter.status !== undefined && live.status !== filter.status) continue;
        out.push(live);
      }
      return out.sort((a, b) => b.created_at.localeCompare(a.created_at));
    },
    async wait(id) {
      const live = [...running.values()].find((r) => r.id === id);
      if (live !== undefined) await live.done;
      return get(id);
    },
    async cancel(id) {
      const live = [...running.values()].find((r) => r.id === id);
      if (live === undefined) {
        const record = await get(id);
        if (record.status === 'running') {
          throw new DepotError(
            'CONFLICT',
            `task ${id} runs on another instance (${record.owner_instance_id}); cancel it there`,
          );
        }
        throw new DepotError('CONFLICT', `task ${id} is not running (${record.status})`);
      }
      live.abort.abort(new DepotError('CONFLICT', 'task cancelled'));
      await live.done;
      return get(id);
    },
    async remove(id) {
      if ([...running.values()].some((r) => r.id === id))
        throw new DepotError('CONFLICT', `task ${id} is running; cancel it first`);
      if (!(await records.tasks.delete(id))) throw notFound(`task ${id} not found`);
    },
    events,
    async stop() {
      for (const r of running.values()) r.abort.abort(new DepotError('CONFLICT', 'server stopping'));
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
