import { badRequest } from '@depot/core';

/**
 * Decodes Go's `!`-case encoding of a module path or version (`!a` is `A`); `null` when the
 * encoding is invalid (an upper-case letter, or `!` not followed by a lower-case letter).
 */
export function decodeCase(encoded: string): string | null {
  let out = '';
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i] as string;
    if (c >= 'A' && c <= 'Z') return null;
    if (c === '!') {
      const next = encoded[i + 1];
      if (next === undefined || next < 'a' || next > 'z') return null;
      out += next.toUpperCase();
      i++;
    } else out += c;
  }
  return out;
}

/** Go's `!`-case encoding: every upper-case letter becomes `!` and its lower case. */
export const encodeCase = (value: string): string => value.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

const ELEMENT = /^[A-Za-z0-9._~+-]+$/;

/**
 * Whether `path` is a module path Go accepts: slash-separated elements of letters, digits and
 * `-._~+`, none empty, none starting or ending with a dot, the first one a host name with a dot.
 */
export function isValidModulePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024) return false;
  const elements = path.split('/');
  for (const el of elements) {
    if (!ELEMENT.test(el) || el.startsWith('.') || el.endsWith('.')) return false;
  }
  const first = elements[0] as string;
  if (!/^[a-z0-9.-]+$/.test(first) || !first.includes('.') || first.startsWith('-')) return false;
  return true;
}

/** Throws `BAD_REQUEST` unless `path` is a valid module path. */
export function requireModulePath(path: string): string {
  if (!isValidModulePath(path)) throw badRequest(`invalid module path: ${path}`, { field: 'module' });
  return path;
}

/**
 * The major-version suffix of a module path: `2` for `example.com/m/v2`, `null` without one.
 * (`gopkg.in/x.v2` counts as `2` as well.)
 */
export function pathMajor(path: string): number | null {
  const m = /\/v([0-9]+)$/.exec(path) ?? (path.startsWith('gopkg.in/') ? /\.v([0-9]+)(-unstable)?$/.exec(path) : null);
  if (m === null) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}
