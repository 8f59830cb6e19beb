import type { Logger } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import type { FormatHost } from '../runtime/format-host.js';
import { sleep } from '../workers/sleep.js';
import type { BackgroundWorker } from '../workers/worker.js';
import type { ListenerBinding } from './bound-services.js';
import { type RepoListener, type RepoListenerContext, startRepoListener } from './repo-listener.js';

/** How often listeners are reconciled without a change event (prototype-inventory §4). */
export const LISTENER_RECONCILE_MS = 30_000;

/** The repository listener manager: a background worker plus a way to reconcile now. */
export interface RepoListenerManager extends BackgroundWorker {
  /** Reconciles promptly (after a repository create, update or delete). */
  wake(): void;
}

/** A listener a repository asks for. */
interface Wanted extends ListenerBinding {
  readonly listen: string;
}

/** The listener of every live repository whose format declares `repositoryListener` and that asks for one. */
async function wantedListeners(records: ServerRecords, formats: FormatHost): Promise<Map<string, Wanted>> {
  const wanted = new Map<string, Wanted>();
  for await (const { id, record } of records.repositories.scan()) {
    const spec = formats.definitions.get(record.format)?.repositoryListener;
    if (spec === undefined || record.deleting === true) continue;
    const listen = spec.address(record);
    if (listen !== undefined) wanted.set(id, { repo: id, format: record.format, mount: spec.mount, listen });
  }
  return wanted;
}

/**
 * Starts, stops and moves the dedicated per-repository listeners that formats declare
 * (`Format.repositoryListener`, e.g. Docker's `format_options.listen`) so they match the
 * repositories in KV: every `intervalMs`, and right after {@link wake}. A port
 * that cannot be bound is logged as an error for that repository (once per address) and retried on
 * the next pass; it never stops the process. Every listener closes when the worker stops.
 */
export function repoListenerManager(
  ctx: RepoListenerContext,
  logger: Logger,
  intervalMs = LISTENER_RECONCILE_MS,
): RepoListenerManager {
  const { records, formats } = ctx.services;
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

  const start = async (want: Wanted): Promise<void> => {
    const { repo, listen } = want;
    try {
      const listener = await startRepoListener(ctx, want, listen);
      running.set(repo, listener);
      failed.delete(repo);
      logger.info({ repo, listen, port: listener.port }, 'repository listener started');
    } catch (err) {
      if (failed.get(repo) !== listen) logger.error({ err, repo, listen }, 'repository listener failed to start');
      failed.set(repo, listen);
    }
  };

  const reconcile = async (): Promise<void> => {
    const wanted = await wantedListeners(records, formats);
    for (const [repo, listener] of running) {
      const want = wanted.get(repo);
      if (want?.listen !== listener.listen || want.format !== listener.format) await stop(repo);
    }
    for (const repo of failed.keys()) if (!wanted.has(repo)) failed.delete(repo);
    for (const [repo, want] of wanted) {
      if (!running.has(repo)) await start(want);
    }
  };

  return {
    name: 'repo-listeners',
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
            logger.warn({ err }, 'repository listener reconcile failed');
          }
          if (!pending) await sleep(intervalMs, signal, waker);
        }
      } finally {
        await Promise.all([...running.keys()].map(stop));
      }
    },
  };
}
