import { type DepotRecords, drainRepository, type Logger, type RepositoryRecord } from '@depot/core';
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
      const { artifacts, complete } = await drainRepository(records, record, {
        formatPrefixes: formatPrefixes(record),
        signal,
      });
      if (!complete) return;
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
