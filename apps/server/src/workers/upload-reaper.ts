import type { DepotRecords, Logger, RepositoryEngine } from '@depot/core';
import { reapUploadSessions, UPLOAD_IDLE_MS } from '@depot/format-docker';

/** What reaping upload sessions needs. */
export interface UploadReaperDeps {
  readonly records: DepotRecords;
  readonly engine: RepositoryEngine;
  readonly logger: Logger;
}

/**
 * Removes Docker upload sessions (and their stored chunks) idle for at least `maxIdleMs`
 * (default `UPLOAD_IDLE_MS`, 1 h; prototype-inventory §1.5). Returns how many were removed.
 */
export async function reapStaleUploads(
  deps: UploadReaperDeps,
  now: number = Date.now(),
  maxIdleMs: number = UPLOAD_IDLE_MS,
): Promise<number> {
  const reaped = await reapUploadSessions(deps.records, deps.engine, now, maxIdleMs);
  if (reaped > 0) deps.logger.info({ reaped, max_idle_ms: maxIdleMs }, 'stale upload sessions removed');
  return reaped;
}

/**
 * At startup on a single-node KV no other instance can own a session, so every one left over is
 * an interrupted upload: reap them all (idle 0), as the prototype does (§4). On a shared KV this
 * does nothing; the cleanup worker's 1 h rule applies there.
 */
export async function reapUploadsAtStartup(deps: UploadReaperDeps, singleNode: boolean): Promise<number> {
  if (!singleNode) return 0;
  return reapStaleUploads(deps, Date.now(), 0);
}
