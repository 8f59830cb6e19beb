import type { BlobStore, ByteSource, ErrorCode } from '@depot/core';
import { afterEach, beforeEach, expect } from 'vitest';

/** Builds a fresh, empty store for one case. */
export type BlobStoreFactory = () => Promise<{ store: BlobStore; cleanup(): Promise<void> }>;

/** Registers per-case setup/teardown and returns an accessor for the current case's store. */
export function useBlobStore(factory: BlobStoreFactory): () => BlobStore {
  let current: { store: BlobStore; cleanup(): Promise<void> } | undefined;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    if (done === undefined) return;
    try {
      await done.store.close?.();
    } finally {
      await done.cleanup();
    }
  });
  return () => {
    if (current === undefined) throw new Error('blob suite: store accessed outside a test');
    return current.store;
  };
}

/** Awaits `promise` and asserts it rejected with a DepotError of `code` (never the message). */
export async function expectBlobCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const outcome = await promise.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(outcome.ok, `expected a ${code} rejection`).toBe(false);
  if (!outcome.ok) expect(outcome.error).toMatchObject({ name: 'DepotError', code });
}

/** A source yielding `data` in chunks of `chunk` bytes (copies, so the store may keep them). */
export async function* sourceOf(data: Uint8Array, chunk = 64 * 1024): ByteSource {
  for (let at = 0; at < data.length; at += chunk) yield data.slice(at, at + chunk);
}

/** Deterministic test bytes. */
export function patterned(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 17 + (i >>> 8)) & 0xff;
  return out;
}

/** Reads a whole (small) body into one array, for assertions. */
export async function readAll(body: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    parts.push(part.slice());
    size += part.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Every id the store lists, walking all pages. */
export async function listAllBlobIds(store: BlobStore, limit?: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.list({
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    });
    if (limit !== undefined) expect(page.entries.length).toBeLessThanOrEqual(limit);
    ids.push(...page.entries.map((e) => e.id));
    if (page.cursor === null) return ids;
    cursor = page.cursor;
  }
}
