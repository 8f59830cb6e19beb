import { createHash } from 'node:crypto';
import type { FormatCounter } from '../format/format.js';
import type { KvStore } from '../kv/kv-store.js';
import { recordView } from '../kv/record-view.js';
import { SCHEMA_VERSION } from '../kv/records.js';
import type { Logger } from '../logger.js';

/**
 * An upstream that changed the bytes of something immutable it had already published (the same npm
 * version, wheel file name or crate version with other digests). Depot keeps serving what it first
 * verified, and records one of these.
 */
export interface IntegrityEvent {
  readonly repo: string;
  readonly format: string;
  /** What changed, in the format's words: `lodash@4.17.21`, `demo-1.0-py3-none-any.whl`, `serde 1.0.0`. */
  readonly subject: string;
  /** The digests first seen (and still served), e.g. `{ sha512: … }`. */
  readonly pinned: Readonly<Record<string, string>>;
  /** The digests the upstream now claims. */
  readonly upstream: Readonly<Record<string, string>>;
}

/** A recorded {@link IntegrityEvent}: seen first at `first_seen_at`, again `times` times since. */
export interface IntegrityEventRecord extends IntegrityEvent {
  readonly first_seen_at: string;
}

/** Where formats report integrity events (`FormatContext.integrity`). */
export interface IntegrityReporter {
  /** Records `event` once per (repository, subject, upstream digests); logs and counts it the first time. Never throws. */
  report(event: Omit<IntegrityEvent, 'format'>): void;
}

/** KV prefix of integrity events: `integrity/{repo}/{hash}`. */
export const INTEGRITY_PREFIX = 'integrity/';

const view = (kv: KvStore) =>
  recordView<IntegrityEventRecord>(kv, { prefix: INTEGRITY_PREFIX, schemaVersion: SCHEMA_VERSION });

const eventKey = (e: Omit<IntegrityEvent, 'format'>): string =>
  `${e.repo}/${createHash('sha256')
    .update(JSON.stringify([e.subject, Object.entries(e.upstream).sort()]))
    .digest('hex')
    .slice(0, 32)}`;

/**
 * The reporter of format `format` over the whole KV store: one record per distinct change (a page
 * revalidated every minute does not pile up events), a warning in the log and `counter` raised the
 * first time it is seen by this process.
 */
export function integrityReporter(
  kv: KvStore,
  format: string,
  logger: Logger,
  now: () => number,
  counter?: FormatCounter,
): IntegrityReporter {
  const records = view(kv);
  const seen = new Set<string>();
  return {
    report(event) {
      const key = eventKey(event);
      if (seen.has(key)) return;
      if (seen.size > 10_000) seen.clear();
      seen.add(key);
      logger.warn(
        { repo: event.repo, subject: event.subject, pinned: event.pinned, upstream: event.upstream },
        'upstream changed the bytes of a published immutable file; serving the first verified ones',
      );
      counter?.inc({ format, repo: event.repo });
      const record: IntegrityEventRecord = { ...event, format, first_seen_at: new Date(now()).toISOString() };
      records.putIfVersion(key, record, null).catch(() => {
        // Already recorded (by an earlier run or another instance), or KV trouble: the log has it.
      });
    },
  };
}

/** The integrity events of repository `repo`, oldest first. */
export async function listIntegrityEvents(kv: KvStore, repo: string): Promise<IntegrityEventRecord[]> {
  const out: IntegrityEventRecord[] = [];
  for await (const { record } of view(kv).scan({ prefix: `${repo}/` })) out.push(record);
  return out.sort((a, b) => a.first_seen_at.localeCompare(b.first_seen_at));
}
