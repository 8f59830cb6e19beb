import { createHash } from 'node:crypto';
import { type ByteSource, type DepotError, isDepotError, readBounded } from '@depot/core';
import { ociError } from './errors.js';
import type { Digest } from './names.js';

/** 413 `SIZE_INVALID` in the OCI shape: `what` is over `max` bytes. */
export const tooLarge = (what: string, max: number): DepotError =>
  ociError('SIZE_INVALID', `${what} exceeds ${max} bytes`, { status: 413, detail: { max } });

/** Reads a whole (small) body; more than `max` bytes is `SIZE_INVALID` (413), in the OCI shape. */
export async function readAll(body: ByteSource, max: number): Promise<Uint8Array> {
  try {
    return await readBounded(body, max);
  } catch (err) {
    if (isDepotError(err, 'PAYLOAD_TOO_LARGE')) throw tooLarge('body', max);
    throw err;
  }
}

/** The digest of `bytes` with `algorithm`, as `algorithm:hex`. */
export const digestOf = (bytes: Uint8Array, algorithm: Digest['algorithm'] = 'sha256'): string =>
  `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;

/** A one-chunk byte source. */
export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** An empty byte source. */
export async function* empty(): AsyncGenerator<Uint8Array> {}

/** Reads the first chunk of `body` so an empty body can be told from a non-empty one, then yields all of it. */
export async function peek(body: ByteSource): Promise<ByteSource | null> {
  const it = body[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.byteLength === 0) first = await it.next();
  if (first.done) return null;
  // The first chunk, then plain delegation to `it` (no generator layer per chunk).
  let head: Uint8Array | null = first.value;
  const rest: AsyncIterableIterator<Uint8Array> = {
    next() {
      if (head === null) return it.next();
      const value = head;
      head = null;
      return Promise.resolve({ done: false, value });
    },
    async return() {
      head = null;
      await it.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => rest,
  };
  return rest;
}
