import { type FileHandle, open, stat, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type BlobStore,
  type BlobStorePluginManifest,
  badRequest,
  DepotError,
  healthRoundTrip,
  type Logger,
  noopLogger,
  type StoreContext,
  withPositionalRead,
} from '@depot/core';
import { blobPath, isBlobId, tempPath } from './internal/blob-paths.js';
import { BufferPool } from './internal/buffer-pool.js';
import { commitBlob, commitState, discardTemp, prepareRoot } from './internal/commit-blob.js';
import { DIRECT_ALIGN, type DirectIo, probeDirectIo } from './internal/direct-io.js';
import { BlobIdAllocator } from './internal/fanout.js';
import { errnoOf, fsCall, fsError } from './internal/fs-errors.js';
import { resolveFsOptions } from './internal/fs-options.js';
import { countBlobs, listBlobs } from './internal/walk-blobs.js';
import { writeTemp } from './internal/write-temp.js';

/** Options of {@link fsBlobStore}; the same keys as a `file` store record's `options`. */
export interface FsBlobStoreOptions {
  /** Directory holding the blobs. Required. */
  readonly root: string;
  /** fsync each blob and the directories it was renamed/created into before `put` resolves (default true). */
  readonly sync?: boolean;
  /** Write buffer and read high-water mark in KiB, 4..65536 (default 1024). */
  readonly io_size?: number;
  /** Write with O_DIRECT (aligned buffers), bypassing the page cache; refused where unsupported (default false). */
  readonly direct_io?: boolean;
}

/** Opens a blob file, `null` when absent. */
async function openBlob(root: string, id: string): Promise<FileHandle | null> {
  if (!isBlobId(id)) return null;
  try {
    return await open(blobPath(root, id).file, 'r');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The filesystem blob store: `<root>/<id[0:4]>/<id[4:8]>/<id>` with random ids (consecutive ids share
 * a fan-out directory, see `BlobIdAllocator`). A put streams into `<root>/.tmp/`, runs
 * `beforeCommit`, renames into place and fsyncs file and directories before it resolves, so a blob
 * is named only whole and durable by the time anyone can learn its id; temp files of crashed
 * processes are removed at open.
 */
export async function fsBlobStore(
  options: FsBlobStoreOptions,
  context: Partial<StoreContext> = {},
): Promise<BlobStore> {
  const { root, sync, ioBytes, directIo } = resolveFsOptions(options as unknown as Readonly<Record<string, unknown>>);
  const logger: Logger = context.logger ?? noopLogger;
  const removed = await prepareRoot(root);
  if (removed > 0) logger.warn({ root, removed }, 'removed temp files left by an earlier process');
  const direct: DirectIo | null = directIo ? await probeDirectIo(root) : null;
  const ids = new BlobIdAllocator();
  const commits = commitState();
  const pool = new BufferPool(direct === null ? ioBytes : Math.ceil(ioBytes / DIRECT_ALIGN) * DIRECT_ALIGN, direct);

  const store: BlobStore = {
    async put(body, putOptions = {}) {
      const id = ids.next();
      const temp = tempPath(root, id);
      try {
        const written = await writeTemp(body, temp, { pool, direct: direct !== null, sync, signal: putOptions.signal });
        try {
          await putOptions.beforeCommit?.();
          putOptions.signal?.throwIfAborted();
          await commitBlob(root, id, temp, sync ? written.handle : null, commits);
        } finally {
          await written.handle.close().catch(() => undefined);
        }
        return { id, size: written.size };
      } catch (err) {
        await discardTemp(temp);
        throw err;
      }
    },
    async get(id, getOptions = {}) {
      const fh = await fsCall('open a blob', () => openBlob(root, id));
      if (fh === null) return null;
      try {
        const { size } = await fsCall('stat a blob', () => fh.stat());
        const { range } = getOptions;
        let start = 0;
        let end = size - 1;
        if (range !== undefined) {
          if (range.start < 0 || range.start >= size || range.end < range.start) {
            throw new DepotError('RANGE_NOT_SATISFIABLE', `range ${range.start}-${range.end} of a ${size}-byte blob`, {
              details: { size },
            });
          }
          start = range.start;
          end = Math.min(range.end, size - 1);
        }
        const body = fh.createReadStream({
          start,
          ...(end >= start ? { end } : {}),
          highWaterMark: ioBytes,
          autoClose: true,
        });
        return {
          size,
          body: withPositionalRead(body, {
            start,
            end: end + 1,
            read: async (buffer, length, position) => (await fh.read(buffer, 0, length, position)).bytesRead,
            close: () => closeStream(body),
          }),
        };
      } catch (err) {
        await fh.close();
        throw err;
      }
    },
    async head(id) {
      if (!isBlobId(id)) return null;
      try {
        return { size: (await stat(blobPath(root, id).file)).size };
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return null;
        throw fsError(err, 'stat a blob');
      }
    },
    async delete(id) {
      if (!isBlobId(id)) return false;
      try {
        await unlink(blobPath(root, id).file);
        return true;
      } catch (err) {
        if (errnoOf(err) === 'ENOENT') return false;
        throw fsError(err, 'delete a blob');
      }
    },
    async list(listOptions = {}) {
      const limit = listOptions.limit ?? 1000;
      if (!Number.isInteger(limit) || limit < 1)
        throw badRequest(`list limit must be a positive integer, got ${limit}`);
      return listBlobs(root, listOptions.cursor, limit);
    },
    stats: () => countBlobs(root),
    healthCheck: () => healthRoundTrip(store),
    async close() {
      await direct?.close();
    },
  };
  return store;
}

/** Destroys a read stream that was never iterated; resolves once its file is closed. */
function closeStream(stream: Readable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/** The plugin manifest: store records with `store_type = "file"`. */
export const depotPlugin: BlobStorePluginManifest = {
  kind: 'blob-store',
  storeType: 'file',
  apiVersion: 1,
  create: (options, context) => fsBlobStore(options as unknown as FsBlobStoreOptions, context),
};
