import type { FormatContext, FormatWorker } from '@depot/core';
import { reapUploadSessions, UPLOAD_IDLE_MS } from './sessions.js';

/** How often idle upload sessions are looked for (prototype-inventory §4: 30 s). */
export const REAP_INTERVAL_MS = 30_000;

/**
 * The worker that removes Docker upload sessions (and their stored chunks) idle for `maxIdleMs`
 * (1 h). At startup on a single-node KV no other process can own a session, so every one left over
 * is an interrupted upload and all are reaped; on a shared KV the 1 h rule alone applies.
 */
export function uploadReaper(ctx: FormatContext, now: () => number, maxIdleMs = UPLOAD_IDLE_MS): FormatWorker {
  const reap = async (at: number, idle: number): Promise<void> => {
    const reaped = await reapUploadSessions(ctx.kv, ctx.engine, at, idle);
    if (reaped > 0) ctx.logger.info({ reaped, max_idle_ms: idle }, 'stale upload sessions removed');
  };
  return {
    name: 'docker-upload-reaper',
    intervalMs: REAP_INTERVAL_MS,
    run: () => reap(now(), maxIdleMs),
    async atStartup({ singleNode }) {
      if (singleNode) await reap(Date.now(), 0);
    },
  };
}
