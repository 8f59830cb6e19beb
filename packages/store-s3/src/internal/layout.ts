import { randomBytes } from 'node:crypto';

const BLOB_ID = /^[0-9a-f]{32}$/;

/** A new random blob id: 32 lowercase hex digits. */
export const newBlobId = (): string => randomBytes(16).toString('hex');

/** True for strings shaped like the ids this store assigns (anything else is a miss, never a key). */
export const isBlobId = (id: string): boolean => BLOB_ID.test(id);

/** The object key of a blob: `{prefix}blobs/{id[0:2]}/{id[2:4]}/{id}`. */
export const blobKey = (prefix: string, id: string): string =>
  `${prefix}blobs/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;

/** The id of an object key when it is a well-placed blob under `prefix`, else `null`. */
export function idOfKey(prefix: string, key: string): string | null {
  if (!key.startsWith(`${prefix}blobs/`)) return null;
  const id = key.slice(key.lastIndexOf('/') + 1);
  return isBlobId(id) && blobKey(prefix, id) === key ? id : null;
}
