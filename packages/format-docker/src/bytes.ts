import { createHash } from 'node:crypto';
import type { ByteSource } from '@depot/core';
import { ociError } from './errors.js';
import type { Digest } from './names.js';

/** Reads a whole (small) body; more than `max` bytes is `SIZE_INVALID` (413). */
export async function readAll(body: ByteSource, max: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) throw ociError('SIZE_INVALID', 'body too large', { status: 413, detail: { max } });
    parts.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
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
