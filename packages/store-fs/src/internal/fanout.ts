import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Blobs placed in one fan-out directory before a fresh one is picked. */
export const BLOBS_PER_DIR = 512;

/**
 * Hands out blob ids for new writes. Ids stay 32 random hex digits, but consecutive ids share
 * their first 8 (the `<id[0:4]>/<id[4:8]>` fan-out) for {@link BLOBS_PER_DIR} blobs, so most commits
 * rename into a directory that already exists: creating and fsyncing two directories per small
 * blob dominated small writes (PERF.md, "4 KiB files"). The other 24 digits (96 bits) keep ids
 * unique; a new prefix is random, so instances sharing a root spread out as before.
 */
export class BlobIdAllocator {
  private prefix = '';
  private left = 0;

  next(): string {
    if (this.left === 0) {
      this.prefix = randomBytes(4).toString('hex');
      this.left = BLOBS_PER_DIR;
    }
    this.left--;
    return this.prefix + randomBytes(12).toString('hex');
  }
}

/** fsyncs a directory so entries created or renamed into it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface DirSync {
  /** The fsync running now. */
  running: Promise<void>;
  /** The fsync that starts after `running`, shared by everyone who arrives meanwhile. */
  next: Promise<void> | null;
}

/**
 * Coalesces directory fsyncs: concurrent commits into one directory share a single fsync. A caller
 * arriving while one runs waits for the next one (which starts after the running one, so it covers
 * that caller's rename) — never for the running one, which may have started before the rename.
 */
export class DirSyncer {
  private readonly dirs = new Map<string, DirSync>();

  sync(dir: string): Promise<void> {
    const state = this.dirs.get(dir);
    if (state === undefined) {
      const entry: DirSync = { running: Promise.resolve(), next: null };
      entry.running = this.run(dir, entry);
      this.dirs.set(dir, entry);
      return entry.running;
    }
    state.next ??= state.running.then(
      () => this.promote(dir, state),
      () => this.promote(dir, state),
    );
    return state.next;
  }

  private async run(dir: string, entry: DirSync): Promise<void> {
    try {
      await syncDir(dir);
    } finally {
      if (entry.next === null && this.dirs.get(dir) === entry) this.dirs.delete(dir);
    }
  }

  private promote(dir: string, entry: DirSync): Promise<void> {
    const running = syncDir(dir);
    entry.running = running;
    entry.next = null;
    const cleanup = (): void => {
      if (entry.next === null && this.dirs.get(dir) === entry) this.dirs.delete(dir);
    };
    running.then(cleanup, cleanup);
    return running;
  }
}
