import type { Logger } from '@depot/core';
import type { SettingsService } from '../runtime/settings-service.js';
import { sleep } from './sleep.js';
import type { BackgroundWorker } from './worker.js';

/** Reloads runtime settings from KV every `intervalMs` (architecture.md: 30 s). */
export function settingsRefreshWorker(
  settings: SettingsService,
  logger: Logger,
  intervalMs = 30_000,
): BackgroundWorker {
  return {
    name: 'settings-refresh',
    async run(signal) {
      while (!signal.aborted) {
        await sleep(intervalMs, signal);
        if (signal.aborted) return;
        try {
          await settings.refresh();
        } catch (err) {
          // A transient KV error must not take the server down; the cached settings stay.
          logger.warn({ err }, 'settings refresh failed');
        }
      }
    },
  };
}
