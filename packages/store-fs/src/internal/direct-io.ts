import { constants } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest } from '@depot/core';
import { newBlobId, PROCESS_TAG, TMP_DIR } from './blob-paths.js';
import { errnoOf } from './fs-errors.js';

/** O_DIRECT needs buffer address, file offset and length aligned to the logical block size. */
export const DIRECT_ALIGN = 4096;

/**
 * JavaScript cannot read a buffer's address, so alignment is found by trying: allocate
 * `size + 4096` bytes and issue a one-block O_DIRECT write from candidate offsets until the kernel
 * accepts one (misaligned buffers fail with EINVAL). Backing stores never move, so the found view
 * stays aligned.
 */
async function alignedView(probe: FileHandle, size: number): Promise<Uint8Array | null> {
  const backing = new Uint8Array(size + DIRECT_ALIGN);
  // glibc serves large allocations from mmap with a 16-byte header, so 4080 is the usual answer.
  const candidates = [0, DIRECT_ALIGN - 16];
  for (let off = 16; off < DIRECT_ALIGN; off += 16) if (off !== DIRECT_ALIGN - 16) candidates.push(off);
  for (const off of candidates) {
    const view = backing.subarray(off, off + size);
    try {
      await probe.write(view, 0, DIRECT_ALIGN, 0);
      return view;
    } catch (err) {
      if (errnoOf(err) !== 'EINVAL') throw err;
    }
  }
  return null;
}

/** The O_DIRECT open flag (0 where the platform has none; {@link probeDirectIo} refuses those). */
export const O_DIRECT_FLAG: number = (constants as { O_DIRECT?: number }).O_DIRECT ?? 0;

/** Aligned buffers for O_DIRECT writes, found with a probe file that lives as long as the store. */
export interface DirectIo {
  allocate(size: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Checks that `root` accepts O_DIRECT writes and returns an aligned-buffer allocator, or throws
 * BAD_REQUEST naming `direct_io` (never silently falls back to buffered writes). The probe file is
 * unlinked at once; its descriptor stays open for later alignment probes.
 */
export async function probeDirectIo(root: string): Promise<DirectIo> {
  const refuse = (why: string, errno?: string) =>
    badRequest(`file blob store option "direct_io" cannot be honoured: ${why} at ${root}`, {
      option: 'direct_io',
      errno: errno ?? null,
    });
  if (O_DIRECT_FLAG === 0) throw refuse(`${process.platform} has no O_DIRECT`);
  const path = join(root, TMP_DIR, `${PROCESS_TAG}-direct-probe-${newBlobId()}`);
  let probe: FileHandle;
  try {
    probe = await open(path, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL | O_DIRECT_FLAG, 0o600);
  } catch (err) {
    throw refuse('the filesystem refuses to open files with O_DIRECT', errnoOf(err));
  } finally {
    await rm(path, { force: true });
  }
  const allocate = async (size: number): Promise<Uint8Array> => {
    let view: Uint8Array | null;
    try {
      view = await alignedView(probe, size);
    } catch (err) {
      throw refuse('an O_DIRECT write failed', errnoOf(err));
    }
    if (view === null) throw refuse('no aligned buffer was accepted for O_DIRECT');
    return view;
  };
  try {
    await allocate(DIRECT_ALIGN);
  } catch (err) {
    await probe.close();
    throw err;
  }
  return { allocate, close: () => probe.close() };
}
