import { type FileHandle, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobPath, PROCESS_TAG, TMP_DIR } from './blob-paths.js';
import { DirSyncer } from './fanout.js';
import { errnoOf, fsCall } from './fs-errors.js';

/** Write-side state shared by the commits of one store. */
export interface CommitState {
  readonly syncer: DirSyncer;
  /** Fan-out directories known to exist with durable parents: commits into them skip `mkdir`. */
  readonly known: Set<string>;
}

/** Remembered directories at most; the set is cleared when full (ids move to a new one every 512). */
const MAX_KNOWN = 4096;

/** A fresh {@link CommitState}. */
export const commitState = (): CommitState => ({ syncer: new DirSyncer(), known: new Set() });

/**
 * Moves a finished temp file to `<root>/<id[0:4]>/<id[4:8]>/<id>` atomically (rename within one
 * filesystem). With `sync` (the temp file's open handle), fsyncs the file, the directory renamed
 * into (shared with concurrent commits into it) and the parents of every fan-out directory this
 * call created, so the blob's whole path is durable before the put resolves.
 *
 * The file is fsynced after the rename, together with the directories, rather than before it: on
 * ext4 the first fsync then commits the file's data, its creation and the rename in one journal
 * commit and the second finds nothing left, where fsync-then-rename paid two (small blobs are
 * bound by journal commits per second, PERF.md). This is safe because nothing names a blob before
 * its put resolves: the dedup and artifact records are written afterwards, so a crash in between
 * leaves an unreferenced file for GC, never a referenced partial blob. If an fsync fails, the
 * renamed file is removed again.
 */
export async function commitBlob(
  root: string,
  id: string,
  temp: string,
  sync: FileHandle | null,
  state: CommitState,
): Promise<void> {
  const { file, outer, inner } = blobPath(root, id);
  await fsCall('commit a blob', async () => {
    // `recursive` returns the first directory it created (undefined if all existed).
    let created = state.known.has(inner) ? undefined : await mkdir(inner, { recursive: true });
    try {
      await rename(temp, file);
    } catch (err) {
      // A remembered directory removed behind our back: create it again, once.
      if (errnoOf(err) !== 'ENOENT' || !state.known.delete(inner)) throw err;
      created = await mkdir(inner, { recursive: true });
      await rename(temp, file);
    }
    if (sync !== null) {
      const dirs = new Set([inner]);
      if (created !== undefined) {
        dirs.add(outer);
        if (created === outer) dirs.add(dirname(outer));
      }
      const syncs = [sync.sync(), ...[...dirs].map((dir) => state.syncer.sync(dir))];
      const failed = (await Promise.allSettled(syncs)).find((r) => r.status === 'rejected');
      if (failed !== undefined) {
        await rm(file, { force: true }).catch(() => undefined);
        throw failed.reason;
      }
    }
    if (state.known.size >= MAX_KNOWN) state.known.clear();
    state.known.add(inner);
  });
}

/**
 * Creates `<root>` and `<root>/.tmp`, and removes temp files of earlier processes: a crash mid-put
 * leaves only a temp file (blobs appear by rename), so these are never referenced by anything.
 * Returns how many were removed.
 */
export async function prepareRoot(root: string): Promise<number> {
  return fsCall('prepare the store root', async () => {
    const tmp = join(root, TMP_DIR);
    await mkdir(tmp, { recursive: true });
    const stale = (await readdir(tmp)).filter((name) => !name.startsWith(`${PROCESS_TAG}-`));
    await Promise.all(stale.map((name) => rm(join(tmp, name), { force: true, recursive: true })));
    const rootStat = await stat(root);
    if (!rootStat.isDirectory()) throw new Error(`${root} is not a directory`);
    return stale.length;
  });
}

/** Removes a temp file, ignoring one that is already gone. */
export async function discardTemp(temp: string): Promise<void> {
  try {
    await rm(temp, { force: true });
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
}
