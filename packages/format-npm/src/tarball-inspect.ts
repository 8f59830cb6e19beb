import { createGunzip } from 'node:zlib';
import { badRequest, DepotError } from '@depot/core';
import { isObject, type JsonObject } from './types.js';

/** Unpacked bytes a published tarball may expand to (gzip-bomb bound, RELIABILITY §4.3 #41). */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;
/** Entries a published tarball may hold (§4.3 #42). */
export const MAX_ENTRIES = 100_000;
/** Largest `package.json` (or pax/long-name header) read into memory from a tarball. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const BLOCK = 512;
const decoder = new TextDecoder();

/** What a published tarball says about itself. */
export interface TarballFacts {
  /** The parsed top-level `package.json`. */
  readonly manifest: JsonObject;
  /** Every regular file, relative to the package root (the first path segment dropped). */
  readonly files: ReadonlySet<string>;
}

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

/**
 * Reads the gunzipped tar a chunk at a time: exact reads for headers and the few entries kept
 * (package.json, long names), skips for everything else, so memory stays at a chunk or two.
 */
class TarStream {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private unpacked = 0;
  private done = false;

  constructor(bytes: Uint8Array) {
    const gunzip = createGunzip();
    gunzip.end(bytes);
    this.chunks = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch {
      throw badRequest('tarball is not valid gzip');
    }
    if (next.done === true) {
      this.done = true;
      return false;
    }
    this.unpacked += next.value.byteLength;
    if (this.unpacked > MAX_UNPACKED_BYTES) {
      await this.close();
      throw new DepotError('PAYLOAD_TOO_LARGE', 'tarball unpacks beyond the size limit');
    }
    this.pending = this.pending.byteLength === 0 ? next.value : Buffer.concat([this.pending, next.value]);
    return true;
  }

  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.pending.byteLength < n && (await this.fill()));
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(out.byteLength);
    return out;
  }

  /** Skips `n` bytes; false when the stream ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.pending.byteLength === 0 && !(await this.fill())) return false;
      const step = Math.min(left, this.pending.byteLength);
      this.pending = this.pending.subarray(step);
      left -= step;
    }
    return true;
  }

  /** Drains what is left, so a corrupt gzip tail is still noticed. */
  async drain(): Promise<void> {
    this.pending = Buffer.alloc(0);
    while (await this.fill()) this.pending = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

async function entryData(tar: TarStream, size: number, keep: boolean): Promise<Buffer | undefined> {
  const padded = Math.ceil(size / BLOCK) * BLOCK;
  if (!keep) {
    if (!(await tar.skip(padded))) throw badRequest('tarball is truncated');
    return undefined;
  }
  if (size > MAX_MANIFEST_BYTES) throw badRequest('a tarball metadata entry is too large');
  const data = await tar.read(padded);
  if (data.byteLength < size) throw badRequest('tarball is truncated');
  return data.subarray(0, size);
}

function parseManifest(data: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data)) as unknown;
  } catch {
    throw badRequest('package.json in the tarball is not valid JSON');
  }
  if (!isObject(parsed)) throw badRequest('package.json in the tarball is not a JSON object');
  return parsed;
}

/**
 * Checks a published `.tgz` before it is stored (RELIABILITY §4.3, §4.4 #61), streaming it through
 * gunzip: valid gzip within bounds, only regular files and directories (no links or devices), no
 * absolute or `..` entries, no duplicates, and a top-level `package.json` whose name and version
 * match the publish document. Returns that `package.json` and the file list for further checks.
 */
export async function inspectTarball(bytes: Uint8Array, name: string, version: string): Promise<TarballFacts> {
  const tar = new TarStream(bytes);
  try {
    const seen = new Set<string>();
    const files = new Set<string>();
    let manifest: JsonObject | undefined;
    let longName: string | undefined;
    for (;;) {
      const header = await tar.read(BLOCK);
      if (header.byteLength < BLOCK || header.every((b) => b === 0)) break;
      if (seen.size >= MAX_ENTRIES) throw badRequest('tarball holds too many entries');
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 0);
      if (type === 'x' || type === 'L') {
        const data = (await entryData(tar, size, true)) ?? Buffer.alloc(0);
        longName = type === 'L' ? field(data, 0, data.byteLength) : paxPath(data);
        continue;
      }
      if (type === 'g') {
        await entryData(tar, size, false);
        continue;
      }
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
      const isManifest = type !== '5' && segments.length === 2 && segments[1] === 'package.json';
      const data = await entryData(tar, size, isManifest && manifest === undefined);
      if (type !== '5' && segments.length > 1) files.add(segments.slice(1).join('/'));
      if (data !== undefined) manifest = parseManifest(data);
    }
    await tar.drain();
    if (manifest === undefined) throw badRequest('tarball has no package.json');
    if (manifest.name !== name || manifest.version !== version) {
      throw badRequest('package.json in the tarball does not match the published name and version');
    }
    return { manifest, files };
  } finally {
    await tar.close();
  }
}
