import type { DepotRecords, Logger } from '@depot/core';
import { sleep } from '../workers/sleep.js';
import type { BackgroundWorker } from '../workers/worker.js';
import { type RepoListener, type RepoListenerContext, startRepoListener } from './repo-listener.js';

/** How often listeners are reconciled without a change event (prototype-inventory §4). */
export const LISTENER_RECONCILE_MS = 30_000;

/** The Docker listener manager: a background worker plus a way to reconcile now. */
export interface DockerListenerManager extends BackgroundWorker {
  /** Reconciles promptly (after a repository create, update or delete). */
  wake(): void;
}

/** The `listen` address of every live Docker repository that has one. */
async function wantedListeners(records: DepotRecords): Promise<Map<string, string>> {
  const wanted = new Map<string, string>();
  for await (const { id, record } of records.repositories.scan()) {
    const listen = record.format_options?.listen;
    if (record.format === 'docker' && record.deleting !== true && typeof listen === 'string') wanted.set(id, listen);
  }
  return wanted;
}

/**
 * Starts, stops and moves the dedicated per-repository Docker listeners (`format_options.listen`)
 * so they match the repositories in KV: every `intervalMs`, and right after {@link wake}. A port
 * that cannot be bound is logged as an error for that repository (once per address) and retried on
 * the next pass; it never stops the process. Every listener closes when the worker stops.
 */
export function dockerListenerManager(
  ctx: RepoListenerContext,
  logger: Logger,
  intervalMs = LISTENER_RECONCILE_MS,
): DockerListenerManager {
  const { records } = ctx.services;
  const running = new Map<string, RepoListener>();
  /** repo → the address that last failed, so a busy port is reported once, not every 30 s. */
  const failed = new Map<string, string>();
  const waker: { onWake?: () => void } = {};
  let pending = false;

  const stop = async (repo: string): Promise<void> => {
    const listener = running.get(repo);
    if (listener === undefined) return;
    running.delete(repo);
    await listener.close();
    logger.info({ repo, listen: listener.listen }, 'repository listener stopped');
  };

  const start = async (repo: string, listen: string): Promise<void> => {
    try {
      const listener = await startRepoListener(ctx, repo, listen);
      running.set(repo, listener);
      failed.delete(repo);
      logger.info({ repo, listen, port: listener.port }, 'repository listener started');
    } catch (err) {
      if (failed.get(repo) !== listen) logger.error({ err, repo, listen }, 'repository listener failed to start');
      failed.set(repo, listen);
    }
  };

  const reconcile = async (): Promise<void> => {
    const wanted = await wantedListeners(records);
    for (const [repo, listener] of running) {
      if (wanted.get(repo) !== listener.listen) await stop(repo);
    }
    for (const repo of failed.keys()) if (!wanted.has(repo)) failed.delete(repo);
    for (const [repo, listen] of wanted) {
      if (!running.has(repo)) await start(repo, listen);
    }
  };

  return {
    name: 'docker-listeners',
    wake() {
      pending = true;
      waker.onWake?.();
    },
    async run(signal) {
      try {
        while (!signal.aborted) {
          pending = false;
          try {
            await reconcile();
          } catch (err) {
            logger.warn({ err }, 'docker listener reconcile failed');
          }
          if (!pending) await sleep(intervalMs, signal, waker);
        }
      } finally {
        await Promise.all([...running.keys()].map(stop));
      }
    },
  };
}
