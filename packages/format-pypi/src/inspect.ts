import { open } from 'node:fs/promises';
import { badRequest } from '@depot/core';
import { type CoreMetadata, parseCoreMetadata } from './core-metadata.js';
import { readZipDirectory, readZipEntry } from './zip.js';

/** Largest `METADATA` extracted from a wheel. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/** What a wheel holds that Depot serves: its core metadata file, raw and parsed. */
export interface WheelMetadata {
  readonly bytes: Buffer;
  readonly parsed: CoreMetadata;
}

/**
 * Checks the wheel spooled at `path` (a zip whose entries stay inside it, with exactly one
 * top-level `*.dist-info/METADATA`) and returns that metadata. `BAD_REQUEST` otherwise.
 */
export async function inspectWheel(path: string, size: number): Promise<WheelMetadata> {
  const fh = await open(path, 'r');
  try {
    const entries = await readZipDirectory(fh, size);
    const found = entries.filter((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
    const [entry, ...more] = found;
    if (entry === undefined) throw badRequest('the wheel has no .dist-info/METADATA');
    if (more.length > 0) throw badRequest('the wheel has more than one .dist-info/METADATA');
    const bytes = await readZipEntry(fh, entry, MAX_METADATA_BYTES);
    return { bytes, parsed: parseCoreMetadata(bytes) };
  } finally {
    await fh.close();
  }
}

/** Checks that an sdist at `path` is the archive its extension says (gzip, or a safe zip). */
export async function inspectSdist(path: string, size: number, filename: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    if (filename.endsWith('.zip')) {
      await readZipDirectory(fh, size);
      return;
    }
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) throw badRequest('the sdist is not a gzip archive');
  } finally {
    await fh.close();
  }
}
