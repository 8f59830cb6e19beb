import { badRequest, type KvListOptions } from '@depot/core';

/** Byte bounds of a list call: keys `> lower` (or `>=` when inclusive) and `< upper`. */
export interface ByteRange {
  readonly lower: Uint8Array;
  readonly lowerInclusive: boolean;
  readonly upper: Uint8Array | null;
}

const encoder = new TextEncoder();

/** The smallest byte string greater than every string starting with `prefix` (null: no bound). */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const out = prefix.slice(0, i + 1);
      out[i] = (out[i] as number) + 1;
      return out;
    }
  }
  return null;
}

const view = (a: Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Byte-wise comparison (LevelDB's default comparator), without copying. */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(view(a), view(b));

const max = (a: Uint8Array, b: Uint8Array): Uint8Array => (compareBytes(a, b) >= 0 ? a : b);
const min = (a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null =>
  a === null ? b : b === null ? a : compareBytes(a, b) <= 0 ? a : b;

/** Turns prefix/start/end/cursor into one byte range; `null` when the range is empty. */
export function listRange(options: KvListOptions): ByteRange | null {
  const prefix = encoder.encode(options.prefix ?? '');
  let lower: Uint8Array = prefix;
  if (options.start !== undefined) lower = max(lower, encoder.encode(options.start));
  let lowerInclusive = true;
  if (options.cursor !== undefined) {
    const cursor = encoder.encode(options.cursor);
    if (compareBytes(cursor, lower) >= 0) {
      lower = cursor;
      lowerInclusive = false;
    }
  }
  const upper = min(prefixUpperBound(prefix), options.end === undefined ? null : encoder.encode(options.end));
  if (upper !== null && compareBytes(lower, upper) >= 0) return null;
  return { lower, lowerInclusive, upper };
}

/** The page size of a list call (default 1000); a non-positive or fractional limit is BAD_REQUEST. */
export function listLimit(options: KvListOptions): number {
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw badRequest(`list limit must be a positive integer, got ${limit}`);
  return limit;
}
