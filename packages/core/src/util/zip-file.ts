import type { FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { badRequest } from '../errors/depot-error.js';

/** One central-directory entry of a zip archive. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;
/** Largest central directory read (about 500 000 entries with short names). */
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;
/** Most entries an archive may have. */
const MAX_ENTRIES = 200_000;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw badRequest('truncated zip archive');
  return buf;
}

/** Why an entry name is refused (`..`, absolute, backslash, drive letter, NUL), or `null`. */
export function unsafeEntryName(name: string): string | null {
  if (name === '' || name.includes('\0')) return 'empty or NUL in an entry name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `absolute entry path ${JSON.stringify(name)}`;
  if (name.includes('\\')) return `backslash in entry path ${JSON.stringify(name)}`;
  if (name.split('/').some((s) => s === '..')) return `entry path escapes the archive: ${JSON.stringify(name)}`;
  return null;
}

/**
 * Reads and checks the central directory of the zip archive in `fh` (`size` bytes): every entry
 * name must be relative and stay inside the archive, no symlinks, no zip64. Throws `BAD_REQUEST`
 * for anything that is not such a zip.
 */
export async function readZipDirectory(fh: FileHandle, size: number): Promise<ZipEntry[]> {
  if (size < EOCD_MIN) throw badRequest('not a zip archive');
  const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT);
  const tail = await readAt(fh, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw badRequest('not a zip archive (no end of central directory)');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    throw badRequest('zip64 archives are not supported');
  if (count > MAX_ENTRIES) throw badRequest('too many entries in the zip archive');
  if (cdOffset + cdSize > size) throw badRequest('truncated zip archive (central directory out of range)');
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw badRequest('the zip central directory is too large');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== CENTRAL_SIGNATURE)
      throw badRequest('corrupt zip central directory');
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    const madeBy = cd.readUInt16LE(at + 4) >> 8;
    const mode = cd.readUInt32LE(at + 38) >>> 16;
    if (at + 46 + nameLength > cd.length) throw badRequest('corrupt zip central directory');
    const name = cd.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const unsafe = unsafeEntryName(name);
    if (unsafe !== null) throw badRequest(`unsafe zip entry: ${unsafe}`);
    // Unix-made entries carry a mode: a symlink inside an archive could point anywhere on install.
    if (madeBy === 3 && (mode & S_IFMT) === S_IFLNK)
      throw badRequest(`symlink in the zip archive: ${JSON.stringify(name)}`);
    const entry: ZipEntry = {
      name,
      method: cd.readUInt16LE(at + 10),
      compressedSize: cd.readUInt32LE(at + 20),
      size: cd.readUInt32LE(at + 24),
      localOffset: cd.readUInt32LE(at + 42),
    };
    if (entry.localOffset + 30 + entry.compressedSize > size) throw badRequest('truncated zip archive');
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads one entry's bytes (stored or deflated), refusing more than `limit` bytes uncompressed. */
export async function readZipEntry(fh: FileHandle, entry: ZipEntry, limit: number): Promise<Buffer> {
  if (entry.size > limit) throw badRequest(`${entry.name} is larger than ${limit} bytes`);
  const local = await readAt(fh, entry.localOffset, 30);
  if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) throw badRequest('corrupt zip local header');
  const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const data = await readAt(fh, start, entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method !== 8) throw badRequest(`unsupported zip compression method ${entry.method}`);
  try {
    return inflateRawSync(data, { maxOutputLength: limit });
  } catch {
    throw badRequest(`${entry.name} does not inflate (corrupt or larger than ${limit} bytes)`);
  }
}
