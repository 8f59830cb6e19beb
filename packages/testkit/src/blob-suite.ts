import type { BlobStore } from '@depot/core';
import { describe } from 'vitest';
import { blobBasicCases } from './internal/blob-cases-basic.js';
import { blobFailureCases } from './internal/blob-cases-failure.js';
import { blobListCases } from './internal/blob-cases-list.js';
import { blobStreamCases } from './internal/blob-cases-stream.js';
import { type BlobStoreFactory, useBlobStore } from './internal/blob-context.js';

export type { BlobStoreFactory } from './internal/blob-context.js';

/** Tunables of {@link describeBlobStore}. */
export interface BlobStoreSuiteOptions {
  /** Bytes of the streamed put that must stay under the memory bound (default 64 MiB). */
  readonly streamBytes?: number;
  /** Opt-in: also stream this many bytes (e.g. 1 GiB for a disk store) under the same bound. */
  readonly largeBytes?: number;
  /**
   * Allowed growth of resident memory (`process.memoryUsage().rss`) during a streamed put or read
   * (default 64 MiB). `false` only for stores that keep blobs in memory by design.
   */
  readonly maxRssGrowthBytes?: number | false;
  /** Blobs written for the listing case (default 40). */
  readonly listBlobs?: number;
  /** Per-case timeout in milliseconds (default: the runner's; the large case gets at least 10 min). */
  readonly timeoutMs?: number;
}

/**
 * The conformance suite every {@link BlobStore} runs (and third-party stores should run): round
 * trips, exact sizes, zero-byte blobs, ranges, nothing visible after a failed `beforeCommit` or a
 * failing source, listing with paging, stats, health, and a streamed put under a memory bound.
 * `factory` is called before every case and must return an empty store; `cleanup` runs after it.
 */
export function describeBlobStore(
  name: string,
  factory: () => Promise<{ store: BlobStore; cleanup(): Promise<void> }>,
  options: BlobStoreSuiteOptions = {},
): void {
  describe(`BlobStore conformance: ${name}`, () => {
    const store = useBlobStore(factory satisfies BlobStoreFactory);
    blobBasicCases(store, options);
    blobFailureCases(store, options);
    blobListCases(store, options);
    blobStreamCases(store, options);
  });
}
