import type { Logger } from '@depot/core';
import type { BackgroundWorker } from './worker.js';

/** Runs the background workers; see {@link startSupervisor}. */
export interface Supervisor {
  /** Aborts every worker and waits for them to return. */
  stop(): Promise<void>;
}

/**
 * Starts every worker. A worker that returns or throws before `stop()` is a fault: the supervisor
 * logs it and calls `onFailure`, which shuts the process down cleanly with a non-zero exit.
 */
export function startSupervisor(
  workers: readonly BackgroundWorker[],
  logger: Logger,
  onFailure: (worker: string) => void,
): Supervisor {
  const controller = new AbortController();
  const running = workers.map(async (worker) => {
    try {
      await worker.run(controller.signal);
      if (!controller.signal.aborted) {
        logger.error({ worker: worker.name }, 'background worker exited unexpectedly');
        onFailure(worker.name);
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      logger.error({ err, worker: worker.name }, 'background worker failed');
      onFailure(worker.name);
    }
  });
  return {
    async stop() {
      controller.abort();
      await Promise.allSettled(running);
    },
  };
}
