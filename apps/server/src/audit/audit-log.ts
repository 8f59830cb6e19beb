import { randomBytes } from 'node:crypto';
import type { KvBatchOp, KvStore, Logger } from '@depot/core';
import { sleep } from '../workers/sleep.js';
import type { BackgroundWorker } from '../workers/worker.js';

/** KV prefix of audit events; keys are `audit/{ISO time}-{instance}{seq}`, so they sort by time. */
export const AUDIT_PREFIX = 'audit/';
/** Events kept in memory waiting for a flush; past it the oldest are dropped (and counted). */
const MAX_BUFFERED = 10_000;
/** A flush starts early once this many events wait. */
const FLUSH_AT = 500;
/** Events per KV batch. */
const BATCH = 250;

/** One audit event: who did what to which target, from where, and how it ended. */
export interface AuditEvent {
  readonly at: string;
  readonly actor: string;
  /** `PUT`, `DELETE`, `POST` (writes, by method), `login`, `login.failed`, `token.used`. */
  readonly action: string;
  /** The request path (without its query) or the object acted on. */
  readonly target: string;
  readonly repo?: string;
  readonly ip?: string;
  readonly user_agent?: string;
  /** The HTTP status of the request (or 0 when the connection ended without one). */
  readonly outcome: number;
  readonly request_id?: string;
}

/** Filters of a query or export; all optional. `since`/`until` are ISO date-times (until exclusive). */
export interface AuditFilter {
  readonly since?: string;
  readonly until?: string;
  readonly actor?: string;
  readonly repo?: string;
  readonly action?: string;
}

/** The audit log of one server: events buffered in memory and written to KV in batches. */
export interface AuditLog {
  /** Queues an event (never blocks, never throws). No-op while the `audit_log` setting is off. */
  record(event: Omit<AuditEvent, 'at'>): void;
  /** Writes every queued event now. */
  flush(): Promise<void>;
  /** A page of events, oldest first; `cursor` continues it. At most 100,000 keys are read per page. */
  query(filter: AuditFilter, limit: number, cursor?: string): Promise<{ events: AuditEvent[]; cursor: string | null }>;
  /** Every matching event, oldest first (for export). */
  scan(filter: AuditFilter): AsyncIterable<AuditEvent>;
  /** Deletes events older than `before` (epoch ms); the count removed. */
  prune(before: number): Promise<number>;
  /** Flushes every second and prunes past the retention hourly; flushes once more on stop. */
  readonly worker: BackgroundWorker;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const matches = (e: AuditEvent, f: AuditFilter): boolean =>
  (f.actor === undefined || e.actor === f.actor) &&
  (f.repo === undefined || e.repo === f.repo) &&
  (f.action === undefined || e.action === f.action);

/** Creates the audit log over `kv`. `enabled` and `retentionDays` are read on every use (runtime settings). */
export function createAuditLog(
  kv: KvStore,
  logger: Logger,
  options: { enabled: () => boolean; retentionDays: () => number; now?: () => number },
): AuditLog {
  const now = options.now ?? Date.now;
  const instance = randomBytes(3).toString('hex');
  let seq = 0;
  let buffer: { key: string; value: Uint8Array }[] = [];
  let dropped = 0;
  let flushing: Promise<void> = Promise.resolve();
  let wake: { onWake?: () => void } = {};

  const range = (f: AuditFilter) => ({
    prefix: AUDIT_PREFIX,
    ...(f.since === undefined ? {} : { start: `${AUDIT_PREFIX}${f.since}` }),
    ...(f.until === undefined ? {} : { end: `${AUDIT_PREFIX}${f.until}` }),
  });

  const decode = (value: Uint8Array): AuditEvent | null => {
    try {
      return JSON.parse(decoder.decode(value)) as AuditEvent;
    } catch {
      return null;
    }
  };

  async function writeOut(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer.slice(0, BATCH);
      try {
        await kv.batch(batch.map((e): KvBatchOp => ({ type: 'put', key: e.key, value: e.value })));
      } catch (err) {
        // The events stay queued for the next flush; a KV outage costs memory up to MAX_BUFFERED.
        logger.warn({ err, queued: buffer.length }, 'audit events could not be written; will retry');
        return;
      }
      buffer = buffer.slice(batch.length);
    }
    if (dropped > 0) {
      logger.warn({ dropped }, 'audit events were dropped while the KV store was unavailable');
      dropped = 0;
    }
  }

  const log: AuditLog = {
    record(event) {
      if (!options.enabled()) return;
      const at = new Date(now()).toISOString();
      seq = (seq + 1) % 1_000_000;
      const full: AuditEvent = { at, ...event };
      buffer.push({
        key: `${AUDIT_PREFIX}${at}-${instance}${String(seq).padStart(6, '0')}`,
        value: encoder.encode(JSON.stringify(full)),
      });
      if (buffer.length > MAX_BUFFERED) {
        buffer.shift();
        dropped++;
      }
      if (buffer.length >= FLUSH_AT) wake.onWake?.();
    },
    flush() {
      flushing = flushing.then(writeOut, writeOut);
      return flushing;
    },
    async query(filter, limit, cursor) {
      const events: AuditEvent[] = [];
      // The cursor is the last key looked at: the next page starts just after it.
      let after = cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
      let scanned = 0;
      for (;;) {
        const bounds = range(filter);
        const start = after === undefined ? bounds.start : `${after}\u0000`;
        const page = await kv.list({ ...bounds, ...(start === undefined ? {} : { start }), limit: 1000 });
        for (const entry of page.entries) {
          scanned++;
          after = entry.key;
          const event = decode(entry.value);
          if (event !== null && matches(event, filter)) events.push(event);
          if (events.length >= limit || scanned >= 100_000) {
            return { events, cursor: Buffer.from(after, 'utf8').toString('base64url') };
          }
        }
        if (page.cursor === null || page.entries.length === 0) return { events, cursor: null };
      }
    },
    async *scan(filter) {
      let cursor: string | undefined;
      do {
        const page = await log.query(filter, 1000, cursor);
        yield* page.events;
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined);
    },
    async prune(before) {
      const until = new Date(before).toISOString();
      let removed = 0;
      for (;;) {
        const page = await kv.list({ prefix: AUDIT_PREFIX, end: `${AUDIT_PREFIX}${until}`, limit: 1000 });
        if (page.entries.length === 0) return removed;
        await kv.batch(page.entries.map((e): KvBatchOp => ({ type: 'delete', key: e.key })));
        removed += page.entries.length;
      }
    },
    worker: {
      name: 'audit-log',
      async run(signal) {
        let lastPrune = 0;
        while (!signal.aborted) {
          wake = {};
          await sleep(1000, signal, wake);
          await log.flush();
          if (now() - lastPrune >= 3_600_000) {
            lastPrune = now();
            const before = now() - options.retentionDays() * 86_400_000;
            await log.prune(before).then(
              (n) => n > 0 && logger.info({ removed: n }, 'audit events past retention removed'),
              (err: unknown) => logger.warn({ err }, 'audit retention pass failed'),
            );
          }
        }
        await log.flush();
      },
    },
  };
  return log;
}
