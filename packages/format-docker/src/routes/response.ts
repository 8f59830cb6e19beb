import { type FormatResponse, parseQueryInteger, type ResponseBody } from '@depot/core';
import { API_VERSION_HEADER } from '../errors.js';

/** A response with the registry API version header always set. */
export function reply(status: number, headers: Record<string, string> = {}, body: ResponseBody = null): FormatResponse {
  return { status, headers: { ...API_VERSION_HEADER, ...headers }, body };
}

/** A JSON response. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): FormatResponse {
  const body = JSON.stringify(value);
  return reply(
    status,
    { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers },
    body,
  );
}

/**
 * Parses `n` (page size) the way distribution does after CVE-2023-2253: clamped, never allocated up
 * front. Digits only: `1e9` or `-1` is a 400, not a page of 1 or everything.
 */
export function pageSize(raw: string | null, max = 1000): number | undefined {
  const n = parseQueryInteger(raw, 'n', Number.MAX_SAFE_INTEGER);
  return n === undefined ? undefined : Math.min(n, max);
}

/** Applies `last`/`n` pagination to sorted names; `next` is the `last` of the following page. */
export function paginate(sorted: readonly string[], last: string | null, n: number | undefined) {
  const after = last === null || last === '' ? sorted : sorted.filter((s) => s > last);
  if (n === undefined) return { items: after, next: null };
  const items = after.slice(0, n);
  const more = after.length > n && n > 0;
  return { items, next: more ? (items[items.length - 1] ?? null) : null };
}
