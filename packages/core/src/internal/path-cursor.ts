import { badRequest } from '../errors/depot-error.js';

/** Encodes "after this path" as an opaque cursor (base64url of the path). */
export function encodePathCursor(path: string): string {
  return Buffer.from(path, 'utf8').toString('base64url');
}

/** Decodes a cursor from {@link encodePathCursor}; a malformed cursor is `BAD_REQUEST`. */
export function decodePathCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw badRequest('malformed cursor');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
