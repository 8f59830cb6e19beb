import { gunzipSync } from 'node:zlib';
import { badRequest, DepotError } from '@depot/core';

/** Unpacked bytes a published tarball may expand to (gzip-bomb bound, RELIABILITY §4.3 #41). */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;
/** Entries a published tarball may hold (§4.3 #42). */
export const MAX_ENTRIES = 100_000;

const BLOCK = 512;
const decoder = new TextDecoder();

function field(block: Uint8Array, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return decoder.decode(end === -1 ? raw : raw.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) throw badRequest('tarball uses base-256 sizes');
  const text = field(block, start, length).trim();
  const value = text === '' ? 0 : Number.parseInt(text, 8);
  if (!Number.isSafeInteger(value) || value < 0) throw badRequest('tarball has a malformed entry size');
  return value;
}

/** Reads `path=` from a pax extended header. */
function paxPath(data: Uint8Array): string | undefined {
  for (const record of decoder.decode(data).split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

function checkPath(path: string): void {
  if (path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path))
    throw badRequest(`tarball entry ${path} is absolute`);
  if (path.split('/').includes('..')) throw badRequest(`tarball entry ${path} escapes the package`);
}

function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (err) {
    if (err instanceof RangeError) throw new DepotError('PAYLOAD_TOO_LARGE', 'tarball unpacks beyond the size limit');
    throw badRequest('tarball is not valid gzip');
  }
}

/**
 * Checks a published `.tgz` before it is stored (RELIABILITY §4.3, §4.4 #61): valid gzip within
 * bounds, only regular files and directories (no links or devices), no absolute or `..` entries,
 * no duplicates, and a top-level `package.json` whose name and version match the publish document.
 */
export function inspectTarball(bytes: Uint8Array, name: string, version: string): void {
  const tar = gunzip(bytes);
  const seen = new Set<string>();
  let manifest: unknown;
  let longName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= tar.byteLength) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (seen.size >= MAX_ENTRIES) throw badRequest('tarball holds too many entries');
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.byteLength) throw badRequest('tarball is truncated');
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      longName = type === 'L' ? field(data, 0, data.byteLength) : paxPath(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = decoder.decode(header.subarray(257, 262)) === 'ustar' ? field(header, 345, 155) : '';
    const path = longName ?? (prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    longName = undefined;
    checkPath(path);
    if (type !== '0' && type !== '\0' && type !== '5' && type !== '7') {
      throw badRequest(`tarball entry ${path} is a link or special file`);
    }
    const normalized = path.replace(/\/+$/, '').replace(/^\.\//, '');
    if (seen.has(normalized)) throw badRequest(`tarball holds ${path} twice`);
    seen.add(normalized);
    const segments = normalized.split('/');
    if (type !== '5' && segments.length === 2 && segments[1] === 'package.json' && manifest === undefined) {
      try {
        manifest = JSON.parse(decoder.decode(data)) as unknown;
      } catch {
        throw badRequest('package.json in the tarball is not valid JSON');
      }
    }
  }
  const pkg = manifest as { name?: unknown; version?: unknown } | undefined;
  if (pkg === undefined || typeof pkg !== 'object' || pkg === null) throw badRequest('tarball has no package.json');
  if (pkg.name !== name || pkg.version !== version) {
    throw badRequest('package.json in the tarball does not match the published name and version');
  }
}
