import type { FormatWorker, Logger } from '@depot/core';
import type { FormatHost } from '../runtime/format-host.js';
import { sleep } from './sleep.js';
import type { BackgroundWorker } from './worker.js';

/**
 * A format's worker as a supervised background worker: a pass every `intervalMs` until shutdown.
 * A failing pass is logged and the next one runs on schedule (a format bug never stops the server).
 */
export function formatWorkerLoop(format: string, worker: FormatWorker, logger: Logger): BackgroundWorker {
  const log = logger.child({ worker: worker.name, format });
  return {
    name: `${format}:${worker.name}`,
    async run(signal) {
      while (!signal.aborted) {
        try {
          await worker.run(signal);
        } catch (err) {
          if (signal.aborted) return;
          log.warn({ err }, 'format worker pass failed');
        }
        await sleep(worker.intervalMs, signal);
      }
    },
  };
}

/** Every installed format's workers, ready for the supervisor. */
export function formatWorkers(formats: FormatHost, logger: Logger): BackgroundWorker[] {
  return formats.workers().map(({ format, worker }) => formatWorkerLoop(format, worker, logger));
}

/** Runs every format worker's `atStartup` hook, in order; a failure fails startup. */
export async function runFormatStartupHooks(formats: FormatHost, singleNode: boolean): Promise<void> {
  for (const { worker } of formats.workers()) await worker.atStartup?.({ singleNode });
}
