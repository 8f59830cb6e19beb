import { isDepotError } from '../errors/depot-error.js';
import type { DepotRecords } from '../kv/records.js';
import { type ArtifactRecord, artifactId } from '../kv/records.js';
import type { Logger } from '../logger.js';

/** Refresh `last_accessed_at` at most this often per artifact. */
export const ACCESS_TOUCH_INTERVAL_MS = 60_000;
/** Ids remembered as recently touched before the memo is reset. */
const RECENT_LIMIT = 10_000;

/** Best-effort, debounced recording of artifact reads (for cleanup by last access). */
export interface AccessTouch {
  /** Called on every read; writes only when the stored time is older than the interval. Never awaits. */
  touched(record: ArtifactRecord): void;
  /** Resolves when the writes started so far have finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Starts no more writes; resolves when those in flight have finished. */
  close(): Promise<void>;
}

/**
 * Creates an {@link AccessTouch}. A GET never waits on KV for this: the update is a fire-and-forget
 * compare-and-swap, skipped when another write got there first, and skipped entirely while the
 * stored time is younger than {@link ACCESS_TOUCH_INTERVAL_MS} — so a hot artifact costs one KV
 * write a minute, not one per request. `onWritten` hears of each write (to drop cached copies).
 */
export function accessTouch(
  records: DepotRecords,
  now: () => number,
  logger: Logger,
  onWritten: (id: string) => void = () => {},
): AccessTouch {
  const pending = new Map<string, Promise<void>>();
  let closed = false;
  // When this process last wrote (or found fresh) each id: a cached record read before the write
  // still carries the old time, and must not cost a KV read per GET until it expires.
  const recent = new Map<string, number>();
  const fresh = (iso: string): boolean => {
    const last = Date.parse(iso);
    return Number.isFinite(last) && now() - last < ACCESS_TOUCH_INTERVAL_MS;
  };
  const write = async (id: string, blobId: string): Promise<void> => {
    const current = await records.artifacts.getVersioned(id);
    if (current === null || current.record.blob_id !== blobId) return;
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(id, now());
    if (fresh(current.record.last_accessed_at)) return;
    const at = new Date(now()).toISOString();
    await records.artifacts.putIfVersion(id, { ...current.record, last_accessed_at: at }, current.version);
    onWritten(id);
  };
  return {
    touched(record) {
      if (closed || fresh(record.last_accessed_at)) return;
      const id = artifactId(record.repo, record.path);
      const wrote = recent.get(id);
      if (pending.has(id) || (wrote !== undefined && now() - wrote < ACCESS_TOUCH_INTERVAL_MS)) return;
      const run = write(id, record.blob_id)
        .catch((err: unknown) => {
          if (!isDepotError(err, 'CONFLICT')) logger.warn({ err, repo: record.repo }, 'last-access update failed');
        })
        .finally(() => pending.delete(id));
      pending.set(id, run);
    },
    async idle() {
      await Promise.all(pending.values());
    },
    async close() {
      closed = true;
      await Promise.all(pending.values());
    },
  };
}
