import type { KvStore } from '@depot/core';
import { describe } from 'vitest';
import { kvBasicCases } from './internal/kv-cases-basic.js';
import { kvCasCases } from './internal/kv-cases-cas.js';
import { kvListCases } from './internal/kv-cases-list.js';
import { type KvStoreFactory, useKvStore } from './internal/kv-context.js';

export type { KvStoreFactory } from './internal/kv-context.js';

/** Tunables of {@link describeKvStore}; the defaults are what the contract promises. */
export interface KvStoreSuiteOptions {
  /** Keys written for the big paging case (default 10,000). */
  readonly pagingKeys?: number;
  /** Concurrent compare-and-swap writers racing on one key (default 32). */
  readonly casWriters?: number;
  /** Per-case timeout in milliseconds (default: the runner's). */
  readonly timeoutMs?: number;
}

/**
 * The conformance suite every {@link KvStore} runs (and third-party stores should run): misses,
 * round trips, versions, compare-and-swap under concurrency, deletes, listing order, bounds and
 * paging, awkward keys, empty values and batches. `factory` is called before every case and must
 * return an empty store; `cleanup` runs after the case (after `close()`).
 *
 * ```ts
 * describeKvStore('level', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'kv-'));
 *   return { store: await levelKvStore({ path: dir }), cleanup: () => rm(dir, { recursive: true }) };
 * });
 * ```
 */
export function describeKvStore(
  name: string,
  factory: () => Promise<{ store: KvStore; cleanup(): Promise<void> }>,
  options: KvStoreSuiteOptions = {},
): void {
  describe(`KvStore conformance: ${name}`, () => {
    const store = useKvStore(factory satisfies KvStoreFactory);
    kvBasicCases(store, options);
    kvCasCases(store, options);
    kvListCases(store, options);
  });
}
