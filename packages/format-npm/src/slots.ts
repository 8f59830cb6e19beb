import { DepotError } from '@depot/core';

/** Seconds a refused publish is told to wait before trying again. */
export const PUBLISH_RETRY_AFTER_SECS = 2;

/** A budget of bytes in flight that refuses rather than queues. */
export interface ByteBudget {
  /**
   * Reserves `bytes`, or throws `RATE_LIMITED` (429, `Retry-After`) when they do not fit beside what
   * is in flight. Work arriving while nothing is in flight always fits, whatever its size, so one
   * large publish is never refused. The returned function gives the bytes back (once).
   */
  take(bytes: number): () => void;
}

/** Creates a {@link ByteBudget} of `limit` bytes. */
export function byteBudget(limit: number): ByteBudget {
  let used = 0;
  return {
    take(bytes) {
      if (used > 0 && used + bytes > limit) {
        throw new DepotError('RATE_LIMITED', 'too many large publishes in progress; retry shortly', {
          details: { retry_after_secs: PUBLISH_RETRY_AFTER_SECS },
        });
      }
      used += bytes;
      let freed = false;
      return () => {
        if (!freed) used -= bytes;
        freed = true;
      };
    },
  };
}
