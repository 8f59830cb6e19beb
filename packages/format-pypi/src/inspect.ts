import { open } from 'node:fs/promises';
import { badRequest, readZipDirectory, readZipEntry } from '@depot/core';
import { type CoreMetadata, parseCoreMetadata } from './core-metadata.js';
import { scanTarGz } from './tar.js';

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

/**
 * Checks the sdist at `path`: a `.tar.gz` (gzip, every entry relative and inside the archive, no
 * links) or a safe `.zip`, holding `{root}/PKG-INFO`. Returns that core metadata, parsed.
 */
export async function inspectSdist(path: string, size: number, filename: string): Promise<CoreMetadata> {
  let pkgInfo: Buffer | undefined;
  if (filename.endsWith('.zip')) {
    const fh = await open(path, 'r');
    try {
      const entries = await readZipDirectory(fh, size);
      const entry = entries.find((e) => /^[^/]+\/PKG-INFO$/.test(e.name));
      if (entry !== undefined) pkgInfo = await readZipEntry(fh, entry, MAX_METADATA_BYTES);
    } finally {
      await fh.close();
    }
  } else {
    const head = Buffer.alloc(2);
    const fh = await open(path, 'r');
    try {
      await fh.read(head, 0, 2, 0);
    } finally {
      await fh.close();
    }
    if (head[0] !== 0x1f || head[1] !== 0x8b) throw badRequest('the sdist is not a gzip archive');
    pkgInfo = (await scanTarGz(path)).pkgInfo;
  }
  if (pkgInfo === undefined) throw badRequest('the sdist has no PKG-INFO in its top directory');
  return parseCoreMetadata(pkgInfo);
}
