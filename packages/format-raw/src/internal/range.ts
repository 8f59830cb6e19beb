import type { ByteRange } from '@depot/core';

/** A single byte range as requested, before the representation's size is known. */
export type RangeSpec =
  | { readonly kind: 'from'; readonly first: number; readonly last?: number }
  | { readonly kind: 'suffix'; readonly length: number };

const SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses `Range: bytes=…` (RFC 9110 §14.1.2). Answers `null` — serve the whole representation —
 * for an absent, malformed or other-unit header and for several ranges (RFC 9110 §14.2 lets a
 * server ignore Range; serving one 200 avoids multi-range amplification, RELIABILITY §4.1 #15).
 */
export function parseRange(header: string | undefined): RangeSpec | null {
  if (header === undefined) return null;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return null;
  const set = header.slice(eq + 1).trim();
  if (set.includes(',')) return null;
  const match = SPEC.exec(set);
  if (match === null) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') return { kind: 'suffix', length: Number(last) };
  const from = Number(first);
  if (last === '') return { kind: 'from', first: from };
  const to = Number(last);
  // A last-pos before first-pos makes the range invalid, and an invalid Range is ignored (§14.1.1).
  return to < from ? null : { kind: 'from', first: from, last: to };
}

/**
 * The inclusive range `spec` selects in a representation of `size` bytes, or `null` when it is
 * unsatisfiable (§14.1.1: first-pos at or past the end, a zero suffix, any range of an empty body).
 */
export function resolveRange(spec: RangeSpec, size: number): ByteRange | null {
  if (size === 0) return null;
  if (spec.kind === 'suffix') {
    if (spec.length === 0) return null;
    return { start: Math.max(0, size - spec.length), end: size - 1 };
  }
  if (spec.first >= size) return null;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}
