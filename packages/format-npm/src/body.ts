import { type ByteSource, badRequest, DepotError, readBounded } from '@depot/core';
import { isObject, type JsonObject } from './types.js';

/**
 * Keys refused anywhere in a JSON body (RELIABILITY §4.4 #63): `__proto__` has no legitimate use.
 * `constructor` and `prototype` are accepted: JSON.parse makes them plain own properties, every
 * dictionary built from user keys has no prototype (`dict()`), and a packument that already holds
 * such a dist-tag must still take the full document npm sends for deprecate and unpublish.
 */
const POISON_KEYS = new Set(['__proto__']);

/**
 * Reads a request body into memory, refusing more than `limit` bytes: a `content-length` above it
 * is `PAYLOAD_TOO_LARGE` before a byte is read, and so is a stream that runs past it.
 */
export async function readRequestBody(
  body: ByteSource,
  contentLength: string | undefined,
  limit: number,
): Promise<Uint8Array> {
  if (contentLength !== undefined && Number(contentLength) > limit) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `request body exceeds ${limit} bytes`);
  }
  return readBounded(body, limit);
}

/** Parses untrusted JSON, refusing prototype-polluting keys. The result must be an object. */
export function parseJsonObject(bytes: Uint8Array): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes), (key, value: unknown) => {
      if (POISON_KEYS.has(key)) throw badRequest(`forbidden key ${key} in JSON body`);
      return value;
    });
  } catch (err) {
    if (err instanceof DepotError) throw err;
    throw badRequest('request body is not valid JSON');
  }
  if (!isObject(parsed)) throw badRequest('request body must be a JSON object');
  return parsed;
}

/** Reads and parses a bounded JSON object body. */
export async function readJsonObject(
  body: ByteSource,
  headers: Readonly<Record<string, string>>,
  limit: number,
): Promise<JsonObject> {
  return parseJsonObject(await readRequestBody(body, headers['content-length'], limit));
}

/** Reads a bounded JSON body of any type (dist-tag PUT sends a bare JSON string). */
export async function readJsonValue(
  body: ByteSource,
  headers: Readonly<Record<string, string>>,
  limit: number,
): Promise<unknown> {
  const bytes = await readRequestBody(body, headers['content-length'], limit);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

/** Yields `bytes` in slices, so the engine ingests an attachment as a stream of chunks. */
export async function* chunked(bytes: Uint8Array, size = 1 << 20): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}
