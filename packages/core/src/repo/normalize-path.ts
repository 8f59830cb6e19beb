import { badRequest } from '../errors/depot-error.js';

/**
 * Decodes a raw (percent-encoded) artifact path exactly once and normalizes it: collapses `//` and
 * `.` segments, strips leading and trailing `/`. Rejects traversal in every spelling (`..`,
 * `%2e%2e`, `..%5c`, backslashes), NUL and other C0/C1 control characters, bidirectional controls
 * (U+202E and kin), and malformed or overlong UTF-8
 * with `BAD_REQUEST` before any storage key is formed.
 */
export function normalizePath(rawPath: string): string {
  let decoded: string;
  try {
    // decodeURIComponent rejects invalid and overlong UTF-8 sequences (URIError).
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw badRequest('malformed percent-encoding in path');
  }
  return normalizeDecodedPath(decoded);
}

/** Like {@link normalizePath} for a path that is already decoded. */
export function normalizeDecodedPath(decoded: string): string {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(decoded)) throw badRequest('control characters are not allowed in paths');
  // Bidirectional controls make a name display differently from what it is ("exe.txt" shown for
  // "txt.exe"): refused, like control characters.
  if (/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(decoded))
    throw badRequest('bidirectional control characters are not allowed in paths');
  if (decoded.includes('\\')) throw badRequest('backslashes are not allowed in paths');
  if (decoded.includes('\ufffd')) throw badRequest('invalid UTF-8 in path');
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw badRequest('path traversal not allowed');
    segments.push(segment);
  }
  return segments.join('/');
}
