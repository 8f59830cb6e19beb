import type { BlobStore } from '@depot/core';
import { createFormatHarness, type FormatHarness, type FormatHarnessOptions, memoryBlobStore } from '@depot/testkit';
import { afterEach } from 'vitest';
import { rawFormat } from '../src/index.js';

/** The engine clock of every test harness: a fixed instant with milliseconds (Last-Modified drops them). */
export const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

/** A raw harness plus how often the blob store opened a body. */
export interface RawHarness {
  readonly h: FormatHarness;
  /** Calls to `BlobStore.get` so far (a HEAD, 304 or 416 must not add any). */
  bodyOpens(): number;
}

/** A memory blob store that counts `get` calls. */
function countingBlobStore(): { store: BlobStore; opens: () => number } {
  const inner = memoryBlobStore();
  let opens = 0;
  const store: BlobStore = {
    ...inner,
    get: (id, options) => {
      opens++;
      return inner.get(id, options);
    },
  };
  return { store, opens: () => opens };
}

/** Opens raw harnesses for the current test file and closes them after each test. */
export function rawHarnesses(): (options?: Partial<FormatHarnessOptions>) => Promise<RawHarness> {
  const open: FormatHarness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  return async (options = {}) => {
    const { store, opens } = countingBlobStore();
    const h = await createFormatHarness({ format: rawFormat(), blobStore: store, now: () => NOW, ...options });
    open.push(h);
    return { h, bodyOpens: opens };
  };
}

/** `n` bytes 0, 1, 2, … (mod 256), so any slice is recognisable. */
export function counting(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i % 256);
}
