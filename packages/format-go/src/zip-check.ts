import { type FileHandle, open } from 'node:fs/promises';
import { badRequest, DepotError, readZipDirectory, readZipEntry, type ZipEntry } from '@depot/core';

/** Go's limits on a module zip. */
export interface ZipLimits {
  /** Largest module zip, compressed and uncompressed (Go: 500 MiB). */
  readonly maxZipBytes: number;
  /** Largest go.mod (Go: 16 MiB). */
  readonly maxGoModBytes: number;
  /** Largest LICENSE (Go: 16 MiB). */
  readonly maxLicenseBytes: number;
}

/** Go's own limits. */
export const GO_ZIP_LIMITS: ZipLimits = {
  maxZipBytes: 500 * 1024 * 1024,
  maxGoModBytes: 16 * 1024 * 1024,
  maxLicenseBytes: 16 * 1024 * 1024,
};

/** What a valid module zip yields. */
export interface CheckedZip {
  /** The go.mod at the module root, `null` when the module has none. */
  readonly goMod: string | null;
  readonly files: number;
}

const BAD_ELEMENT_CHARS = /[\u0000-\u001f"'*<>?`|:\\\u007f]/;
const RESERVED = /^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$/i;

/** Why `file` (relative to the module root) is not a path Go allows in a module zip; `null` when it is. */
export function badFilePath(file: string): string | null {
  if (file === '') return 'empty file path';
  if (file.includes('\uFFFD')) return 'file path is not valid UTF-8';
  if (file.startsWith('/')) return 'absolute file path';
  const elements = file.split('/');
  for (const el of elements) {
    if (el === '') return 'empty path element';
    if (el === '.' || el === '..') return `path element ${el}`;
    if (BAD_ELEMENT_CHARS.test(el)) return 'invalid character in file path';
    if (RESERVED.test(el.replace(/[. ]+$/, ''))) return `reserved file name ${el}`;
    if (el.endsWith('.') || el.endsWith(' ')) return 'path element ending in a dot or space';
  }
  return null;
}

const zipError = (message: string, path?: string): DepotError =>
  badRequest(`invalid module zip: ${message}`, { field: 'zip', ...(path === undefined ? {} : { path }) });

/**
 * Checks the module zip at `path` (`size` bytes) by Go's rules: every file under
 * `{module}@{version}/`, a valid file path (no `..`, valid UTF-8), no two paths equal ignoring
 * case, no files of a nested module (a directory with its own go.mod, vendor/ included), size
 * limits. Reads only the central directory and the root go.mod, which it returns. `BAD_REQUEST`
 * (`PAYLOAD_TOO_LARGE` for sizes) naming the first offending file otherwise.
 */
export async function checkModuleZip(
  path: string,
  size: number,
  module: string,
  version: string,
  limits: ZipLimits,
): Promise<CheckedZip> {
  if (size > limits.maxZipBytes) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `module zip is larger than ${limits.maxZipBytes} bytes`);
  }
  const fh = await open(path, 'r');
  try {
    let entries: ZipEntry[];
    try {
      entries = await readZipDirectory(fh, size);
    } catch (err) {
      throw zipError(`unreadable zip archive (${(err as Error).message})`);
    }
    const prefix = `${module}@${version}/`;
    const names: string[] = [];
    const folded = new Map<string, string>();
    let total = 0;
    let goModEntry: ZipEntry | undefined;
    for (const entry of entries) {
      const name = entry.name;
      if (name.endsWith('/') && entry.size === 0) continue;
      if (!name.startsWith(prefix)) throw zipError(`${name} is not under ${prefix}`, name);
      const rel = name.slice(prefix.length);
      const bad = badFilePath(rel);
      if (bad !== null) throw zipError(`${bad}: ${name}`, name);
      const seen = folded.get(rel.toLowerCase());
      if (seen !== undefined) {
        throw zipError(`${name} collides with ${prefix}${seen} (paths differ only in case)`, name);
      }
      folded.set(rel.toLowerCase(), rel);
      names.push(rel);
      total += entry.size;
      if (total > limits.maxZipBytes) {
        throw new DepotError('PAYLOAD_TOO_LARGE', `module zip expands to more than ${limits.maxZipBytes} bytes`);
      }
      if (rel === 'go.mod' && entry.size > limits.maxGoModBytes) {
        throw new DepotError('PAYLOAD_TOO_LARGE', `go.mod is larger than ${limits.maxGoModBytes} bytes`);
      }
      if (rel === 'LICENSE' && entry.size > limits.maxLicenseBytes) {
        throw new DepotError('PAYLOAD_TOO_LARGE', `LICENSE is larger than ${limits.maxLicenseBytes} bytes`);
      }
      if (rel === 'go.mod') goModEntry = entry;
    }
    if (names.length === 0) throw zipError('the archive holds no files');
    // A directory below the root with its own go.mod is another module; its files do not belong here.
    const nested = names.filter((n) => n.endsWith('/go.mod')).map((n) => n.slice(0, -'go.mod'.length));
    for (const dir of nested) {
      const inside = names.find((n) => n.startsWith(dir));
      if (inside !== undefined) throw zipError(`${prefix}${inside} belongs to the nested module in ${dir}`, inside);
    }
    return {
      goMod: goModEntry === undefined ? null : await goModText(fh, goModEntry, prefix, limits),
      files: names.length,
    };
  } finally {
    await fh.close();
  }
}

async function goModText(fh: FileHandle, entry: ZipEntry, prefix: string, limits: ZipLimits): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readZipEntry(fh, entry, limits.maxGoModBytes);
  } catch (err) {
    throw zipError(`go.mod does not read (${(err as Error).message})`, `${prefix}go.mod`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw zipError('go.mod is not valid UTF-8', `${prefix}go.mod`);
  }
}
