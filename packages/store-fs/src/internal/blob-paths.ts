import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/** Directory of in-progress writes, skipped by listing and cleaned at open. */
export const TMP_DIR = '.tmp';

const ID = /^[0-9a-f]{32}$/;
const FANOUT = /^[0-9a-f]{4}$/;

/** A new blob id: 32 random lowercase hex digits (a UUIDv4 without dashes), never derived from content. */
export const newBlobId = (): string => randomUUID().replaceAll('-', '');

/** Whether `id` can name a blob of this store (anything else is a miss, so paths cannot escape). */
export const isBlobId = (id: string): boolean => ID.test(id);

/** Whether a directory entry is a fan-out directory (`0a1b`). */
export const isFanout = (name: string): boolean => FANOUT.test(name);

/** `<root>/<id[0:4]>/<id[4:8]>/<id>` and its two fan-out directories. */
export function blobPath(
  root: string,
  id: string,
): { readonly file: string; readonly outer: string; readonly inner: string } {
  const outer = join(root, id.slice(0, 4));
  const inner = join(outer, id.slice(4, 8));
  return { file: join(inner, id), outer, inner };
}

/**
 * Tag of this process's temp files. Open removes every temp file without it: those are left from a
 * crashed earlier process (pids repeat in containers, so a random tag is used rather than the pid).
 */
export const PROCESS_TAG = randomUUID().slice(0, 8);

/** A temp path for a blob being written by this process. */
export const tempPath = (root: string, id: string): string => join(root, TMP_DIR, `${PROCESS_TAG}-${id}`);
