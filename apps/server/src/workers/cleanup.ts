import { artifactId, type DepotRecords, type KvStore, type Logger, type RepositoryRecord } from '@depot/core';
import { sleep } from './sleep.js';
import type { BackgroundWorker } from './worker.js';

/** The cleanup worker plus a way to run it now (after a soft delete). */
export interface CleanupWorker extends BackgroundWorker {
  wake(): void;
}

/** Options of {@link cleanupWorker}. */
export interface CleanupWorkerOptions {
  /** Pause between passes (prototype-inventory §4: 30 s). */
  readonly intervalMs?: number;
  /** KV prefixes of a format's own records of a repository (`Format.repositoryRecordPrefixes`). */
  readonly formatRecordPrefixes?: (repo: RepositoryRecord) => readonly string[];
}

const PAGE = 500;

async function deleteAllUnder(
  records: DepotRecords,
  kind: 'artifacts' | 'dirs' | 'uploads',
  prefix: string,
  signal: AbortSignal,
): Promise<number> {
  const view = records[kind];
  let deleted = 0;
  for (;;) {
    if (signal.aborted) return deleted;
    const page = await view.list({ prefix, limit: PAGE });
    if (page.items.length === 0) return deleted;
    await records.kv.batch(page.items.map((item) => ({ type: 'delete' as const, key: view.prefix + item.id })));
    deleted += page.items.length;
  }
}

/** Deletes every KV key under `prefix`, a page at a time; false when stopped early. */
async function deleteKeysUnder(kv: KvStore, prefix: string, signal: AbortSignal): Promise<boolean> {
  for (;;) {
    if (signal.aborted) return false;
    const page = await kv.list({ prefix, limit: PAGE });
    if (page.entries.length === 0) return true;
    await kv.batch(page.entries.map((entry) => ({ type: 'delete' as const, key: entry.key })));
  }
}

/**
 * Drains repositories marked `deleting`: their artifact records, directory aggregates, the records
 * their format keeps of its own, then the repository record (so a new repository of the same name
 * starts empty). Blobs are left to GC (they may be shared through dedup). Formats' own
 * housekeeping, such as stale upload sessions, runs as their declared workers.
 */
export function cleanupWorker(
  records: DepotRecords,
  logger: Logger,
  options: CleanupWorkerOptions = {},
): CleanupWorker {
  const { intervalMs = 30_000 } = options;
  const formatPrefixes = options.formatRecordPrefixes ?? (() => []);
  const waker: { onWake?: () => void } = {};
  let pending = false;
  const drain = async (signal: AbortSignal): Promise<void> => {
    for await (const { id, record } of records.repositories.scan()) {
      if (!record.deleting || signal.aborted) continue;
      const prefix = artifactId(id, '');
      const artifacts = await deleteAllUnder(records, 'artifacts', prefix, signal);
      await deleteAllUnder(records, 'dirs', prefix, signal);
      for (const own of formatPrefixes(record)) if (!(await deleteKeysUnder(records.kv, own, signal))) return;
      if (signal.aborted) return;
      const current = await records.repositories.getVersioned(id);
      if (current?.record.deleting) await records.repositories.deleteIfVersion(id, current.version);
      logger.info({ repo: id, artifacts }, 'repository drained and removed');
    }
  };
  return {
    name: 'cleanup',
    wake() {
      pending = true;
      waker.onWake?.();
    },
    async run(signal) {
      while (!signal.aborted) {
        pending = false;
        try {
          await drain(signal);
        } catch (err) {
          logger.warn({ err }, 'repository cleanup pass failed');
        }
        if (!pending) await sleep(intervalMs, signal, waker);
      }
    },
  };
}
