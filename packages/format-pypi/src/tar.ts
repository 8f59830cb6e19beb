import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { badRequest, unsafeEntryName } from '@depot/core';

/** Most bytes a `.tar.gz` sdist may inflate to while it is checked. */
const MAX_UNPACKED = 2 * 1024 * 1024 * 1024;
/** Largest PKG-INFO (or pax header) kept while scanning. */
const MAX_KEPT = 4 * 1024 * 1024;
const BLOCK = 512;

/** What a scan of a `.tar.gz` sdist found. */
export interface TarScan {
  /** `{root}/PKG-INFO` of the top directory, when present. */
  readonly pkgInfo: Buffer | undefined;
}

const text = (block: Buffer, start: number, length: number): string => {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
};

function octal(block: Buffer, start: number, length: number): number {
  const value = text(block, start, length).trim();
  if (value === '') return 0;
  if (!/^[0-7]+$/.test(value)) throw badRequest('corrupt tar header in the sdist');
  return Number.parseInt(value, 8);
}

/** The `path` record of a pax extended header, if any. */
function paxPath(data: Buffer): string | undefined {
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString());
    if (!Number.isSafeInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    if (record.startsWith('path=')) return record.slice(5);
    at += length;
  }
  return undefined;
}

/**
 * Streams the `.tar.gz` at `path` and checks every entry: relative paths that stay inside the
 * archive, no symlinks or hard links, only files and directories (pax and GNU long-name records
 * understood). Returns the top directory's PKG-INFO. `BAD_REQUEST` for anything else.
 */
export async function scanTarGz(path: string): Promise<TarScan> {
  let buffered: Buffer = Buffer.alloc(0);
  let unpacked = 0;
  let pkgInfo: Buffer | undefined;
  // State of the entry whose data is being read.
  let remaining = 0;
  let padding = 0;
  let keep: Buffer[] | undefined;
  let kind = '';
  let longName: string | undefined;
  let ended = false;
  const onEntryData = () => {
    const data = Buffer.concat(keep ?? []);
    if (kind === 'L') longName = text(data, 0, data.length);
    else if (kind === 'x') longName = paxPath(data) ?? longName;
    else pkgInfo = data;
  };
  const header = (block: Buffer) => {
    if (block.every((b) => b === 0)) {
      ended = true;
      return;
    }
    const name = longName ?? `${text(block, 345, 155) ? `${text(block, 345, 155)}/` : ''}${text(block, 0, 100)}`;
    const size = octal(block, 124, 12);
    kind = String.fromCharCode(block[156] ?? 0x30);
    remaining = size;
    padding = (BLOCK - (size % BLOCK)) % BLOCK;
    keep = undefined;
    if (kind === 'L' || kind === 'x' || kind === 'g') {
      if (size > MAX_KEPT) throw badRequest('oversized tar extended header in the sdist');
      if (kind !== 'g') keep = [];
      return;
    }
    longName = undefined;
    const unsafe = unsafeEntryName(name.replace(/^\.\//, ''));
    if (unsafe !== null) throw badRequest(`unsafe sdist entry: ${unsafe}`);
    if (kind === '1' || kind === '2') throw badRequest(`link in the sdist: ${JSON.stringify(name)}`);
    if (kind !== '0' && kind !== '\0' && kind !== '5' && kind !== '7')
      throw badRequest(`unsupported tar entry type in the sdist: ${JSON.stringify(name)}`);
    if (/^[^/]+\/PKG-INFO$/.test(name.replace(/^\.\//, '')) && pkgInfo === undefined) {
      if (size > MAX_KEPT) throw badRequest('PKG-INFO is too large');
      keep = [];
    }
  };
  const gunzip = createReadStream(path).pipe(createGunzip());
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      unpacked += chunk.length;
      if (unpacked > MAX_UNPACKED) throw badRequest('the sdist unpacks to too many bytes');
      if (ended) continue;
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      let at = 0;
      while (!ended) {
        if (remaining > 0) {
          const take = Math.min(remaining, buffered.length - at);
          if (take === 0) break;
          keep?.push(buffered.subarray(at, at + take));
          remaining -= take;
          at += take;
          if (remaining === 0 && keep !== undefined) onEntryData();
          continue;
        }
        if (padding > 0) {
          const skip = Math.min(padding, buffered.length - at);
          if (skip === 0) break;
          padding -= skip;
          at += skip;
          continue;
        }
        if (buffered.length - at < BLOCK) break;
        const block = buffered.subarray(at, at + BLOCK);
        at += BLOCK;
        header(block);
        if (remaining === 0 && keep !== undefined) onEntryData();
      }
      buffered = Buffer.from(buffered.subarray(at));
    }
  } catch (err) {
    gunzip.destroy();
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('Z_')) {
      throw badRequest('the sdist is not a valid gzip stream');
    }
    throw err;
  }
  if (!ended && (remaining > 0 || padding > 0 || buffered.length > 0))
    throw badRequest('truncated tar archive in the sdist');
  return { pkgInfo };
}
