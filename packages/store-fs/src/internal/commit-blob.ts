import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobPath, PROCESS_TAG, TMP_DIR } from './blob-paths.js';
import { errnoOf, fsCall } from './fs-errors.js';

/** fsyncs a directory so entries created or renamed into it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Moves a finished temp file to `<root>/<id[0:4]>/<id[4:8]>/<id>` atomically (rename within one
 * filesystem). With `sync`, fsyncs the directory renamed into and the parents of every fan-out
 * directory this call created, so the blob's whole path is durable before the put resolves.
 */
export async function commitBlob(root: string, id: string, temp: string, sync: boolean): Promise<void> {
  const { file, outer, inner } = blobPath(root, id);
  await fsCall('commit a blob', async () => {
    // `recursive` returns the first directory it created (undefined if all existed).
    const created = await mkdir(inner, { recursive: true });
    await rename(temp, file);
    if (!sync) return;
    const dirs = new Set([inner]);
    if (created !== undefined) {
      dirs.add(outer);
      if (created === outer) dirs.add(dirname(outer));
    }
    await Promise.all([...dirs].map(syncDir));
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
