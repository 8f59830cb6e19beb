import { DepotError } from '@depot/core';

/** Seconds a refused publish is told to wait before trying again. */
export const PUBLISH_RETRY_AFTER_SECS = 2;

/** A counting limit on work in flight that refuses rather than queues. */
export interface Slots {
  /** Takes a slot or throws `RATE_LIMITED` (429, `Retry-After`); the returned function frees it. */
  take(): () => void;
}

/** Creates {@link Slots} with `limit` places. */
export function slots(limit: number): Slots {
  let used = 0;
  return {
    take() {
      if (used >= limit) {
        throw new DepotError('RATE_LIMITED', `too many publishes in progress (${limit}); retry shortly`, {
          details: { retryAfterSecs: PUBLISH_RETRY_AFTER_SECS },
        });
      }
      used++;
      let freed = false;
      return () => {
        if (!freed) used--;
        freed = true;
      };
    },
  };
}
