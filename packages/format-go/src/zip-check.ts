import { badRequest, DepotError } from '@depot/core';
import { unzipSync } from 'fflate';

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
 * Checks a module zip by Go's rules: every file under `{module}@{version}/`, a valid file path
 * (no `..`, valid UTF-8), no two paths equal ignoring case, no files of a nested module (a
 * directory with its own go.mod, vendor/ included), size limits. Returns the root go.mod.
 * `BAD_REQUEST` (`PAYLOAD_TOO_LARGE` for sizes) naming the first offending file otherwise.
 */
export function checkModuleZip(zip: Uint8Array, module: string, version: string, limits: ZipLimits): CheckedZip {
  if (zip.byteLength > limits.maxZipBytes) {
    throw new DepotError('PAYLOAD_TOO_LARGE', `module zip is larger than ${limits.maxZipBytes} bytes`);
  }
  const prefix = `${module}@${version}/`;
  const names: string[] = [];
  const folded = new Map<string, string>();
  let total = 0;
  let failure: DepotError | null = null;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter(file) {
        if (failure !== null) return false;
        const name = file.name;
        if (name.endsWith('/') && file.originalSize === 0) return false;
        if (!name.startsWith(prefix)) {
          failure = zipError(`${name} is not under ${prefix}`, name);
          return false;
        }
        const rel = name.slice(prefix.length);
        const bad = badFilePath(rel);
        if (bad !== null) {
          failure = zipError(`${bad}: ${name}`, name);
          return false;
        }
        const key = rel.toLowerCase();
        const seen = folded.get(key);
        if (seen !== undefined) {
          failure = zipError(`${name} collides with ${prefix}${seen} (paths differ only in case)`, name);
          return false;
        }
        folded.set(key, rel);
        names.push(rel);
        total += file.originalSize;
        if (total > limits.maxZipBytes) {
          failure = new DepotError('PAYLOAD_TOO_LARGE', `module zip expands to more than ${limits.maxZipBytes} bytes`);
          return false;
        }
        if (rel === 'go.mod' && file.originalSize > limits.maxGoModBytes) {
          failure = new DepotError('PAYLOAD_TOO_LARGE', `go.mod is larger than ${limits.maxGoModBytes} bytes`);
          return false;
        }
        if (rel === 'LICENSE' && file.originalSize > limits.maxLicenseBytes) {
          failure = new DepotError('PAYLOAD_TOO_LARGE', `LICENSE is larger than ${limits.maxLicenseBytes} bytes`);
          return false;
        }
        return rel === 'go.mod';
      },
    });
  } catch (err) {
    if (failure !== null) throw failure;
    throw zipError(`unreadable zip archive (${(err as Error).message})`);
  }
  if (failure !== null) throw failure;
  if (names.length === 0) throw zipError('the archive holds no files');
  // A directory below the root with its own go.mod is another module; its files do not belong here.
  const nested = names.filter((n) => n.endsWith('/go.mod')).map((n) => n.slice(0, -'go.mod'.length));
  for (const dir of nested) {
    const inside = names.find((n) => n.startsWith(dir));
    if (inside !== undefined) throw zipError(`${prefix}${inside} belongs to the nested module in ${dir}`, inside);
  }
  const goModBytes = entries['go.mod'] ?? entries[`${prefix}go.mod`];
  let goMod: string | null = null;
  if (goModBytes !== undefined) {
    try {
      goMod = new TextDecoder('utf-8', { fatal: true }).decode(goModBytes);
    } catch {
      throw zipError('go.mod is not valid UTF-8', `${prefix}go.mod`);
    }
    if (goModBytes.byteLength > limits.maxGoModBytes) {
      throw new DepotError('PAYLOAD_TOO_LARGE', `go.mod is larger than ${limits.maxGoModBytes} bytes`);
    }
  }
  return { goMod, files: names.length };
}
