import type { ErrorCode, KvStore } from '@depot/core';
import { afterEach, beforeEach, expect } from 'vitest';

/** Builds a fresh, empty store for one case. */
export type KvStoreFactory = () => Promise<{ store: KvStore; cleanup(): Promise<void> }>;

/** Registers per-case setup/teardown and returns an accessor for the current case's store. */
export function useKvStore(factory: KvStoreFactory): () => KvStore {
  let current: { store: KvStore; cleanup(): Promise<void> } | undefined;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    if (done === undefined) return;
    try {
      await done.store.close();
    } finally {
      await done.cleanup();
    }
  });
  return () => {
    if (current === undefined) throw new Error('kv suite: store accessed outside a test');
    return current.store;
  };
}

/** Awaits `promise` and asserts it rejected with a DepotError of `code` (never the message). */
export async function expectKvCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const outcome = await promise.then(
    (value: unknown) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(outcome.ok, `expected a ${code} rejection`).toBe(false);
  if (!outcome.ok) expect(outcome.error).toMatchObject({ name: 'DepotError', code });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Text of UTF-8 `data` (null stays null), for readable assertions. */
export const text = (data: Uint8Array | null): string | null => (data === null ? null : decoder.decode(data));

/** Compares two keys by their UTF-8 bytes, the order the contract lists in. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Zero-padded numbered key, so numeric and byte order agree. */
export const numbered = (prefix: string, i: number): string => `${prefix}${String(i).padStart(6, '0')}`;
