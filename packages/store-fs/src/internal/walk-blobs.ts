import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobListEntry, BlobListPage } from '@depot/core';
import { isBlobId, isFanout } from './blob-paths.js';
import { errnoOf, fsCall } from './fs-errors.js';

/** Sorted entries of a directory, `[]` when it vanished (a concurrent delete). */
async function names(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(keep).sort();
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
}

/** Size and mtime of one blob file; `null` when it was deleted meanwhile. */
async function entryOf(dir: string, id: string): Promise<BlobListEntry | null> {
  try {
    const s = await stat(join(dir, id));
    return { id, size: s.size, modifiedAt: s.mtimeMs };
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Blob ids in ascending order, walking `<root>/<4 hex>/<4 hex>/<id>` (anything else, like `.tmp`,
 * is skipped). Ids sort like their paths, so `after` (a cursor: the last id returned) prunes whole
 * directories. Yields one directory's ids at a time, with the directory path.
 */
async function* idsAfter(root: string, after: string | undefined): AsyncGenerator<{ dir: string; ids: string[] }> {
  const outerFloor = after?.slice(0, 4) ?? '';
  const innerFloor = after?.slice(0, 8) ?? '';
  for (const outer of await names(root, isFanout)) {
    if (outer < outerFloor) continue;
    for (const inner of await names(join(root, outer), isFanout)) {
      if (outer + inner < innerFloor) continue;
      const dir = join(root, outer, inner);
      const prefix = outer + inner;
      const ids = await names(dir, (n) => isBlobId(n) && n.startsWith(prefix) && (after === undefined || n > after));
      if (ids.length > 0) yield { dir, ids };
    }
  }
}

/** One page of {@link BlobStore.list}: `limit` entries after `cursor`; the cursor is the last id. */
export function listBlobs(root: string, cursor: string | undefined, limit: number): Promise<BlobListPage> {
  return fsCall('list blobs', async () => {
    const entries: BlobListEntry[] = [];
    for await (const { dir, ids } of idsAfter(root, cursor)) {
      for (let at = 0; at < ids.length; ) {
        const room = limit - entries.length;
        // Page full and another id exists: the cursor is the last id returned.
        if (room === 0) return { entries, cursor: entries[entries.length - 1]?.id ?? null };
        const slice = ids.slice(at, at + room);
        at += slice.length;
        for (const entry of await Promise.all(slice.map((id) => entryOf(dir, id)))) {
          if (entry !== null) entries.push(entry);
        }
      }
    }
    return { entries, cursor: null };
  });
}

/** Walks every blob, counting files and bytes (stat in parallel per directory). */
export function countBlobs(root: string): Promise<{ blobCount: number; totalBytes: number }> {
  return fsCall('count blobs', async () => {
    let blobCount = 0;
    let totalBytes = 0;
    for await (const { dir, ids } of idsAfter(root, undefined)) {
      for (const entry of await Promise.all(ids.map((id) => entryOf(dir, id)))) {
        if (entry === null) continue;
        blobCount++;
        totalBytes += entry.size;
      }
    }
    return { blobCount, totalBytes };
  });
}
