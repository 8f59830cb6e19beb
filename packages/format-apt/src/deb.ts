import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { badRequest, DepotError } from '@depot/core';
import { decompress as zstdDecompress } from 'fzstd';

/** Largest compressed control member read; real ones are a few KiB. */
export const MAX_CONTROL_BYTES = 1024 * 1024;
/** Largest uncompressed control archive. */
const MAX_CONTROL_TAR_BYTES = 4 * 1024 * 1024;

const AR_MAGIC = '!<arch>\n';
const HEADER = 60;

/** The control fields of a package, in file order (deb-control(5)). */
export type ControlFields = readonly (readonly [string, string])[];

/** Decompresses an xz stream (a control archive, a `Packages.xz`). */
export async function inflateXz(bytes: Uint8Array): Promise<Uint8Array> {
  // Loaded on first use: a WebAssembly decoder only uploads of xz-compressed packages need.
  const mod = (await import('xz-decompress')) as unknown as {
    default?: typeof import('xz-decompress');
  } & typeof import('xz-decompress');
  // A CommonJS module: its exports arrive as `default` when imported from ESM.
  const XzReadableStream = mod.default?.XzReadableStream ?? mod.XzReadableStream;
  const stream = new XzReadableStream(new Blob([bytes]).stream());
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_CONTROL_TAR_BYTES) {
      await reader.cancel();
      throw new DepotError('PAYLOAD_TOO_LARGE', `the control archive is larger than ${MAX_CONTROL_TAR_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function inflate(name: string, bytes: Uint8Array): Promise<Uint8Array> {
  try {
    if (name === 'control.tar') return bytes;
    if (name === 'control.tar.gz') return gunzipSync(bytes, { maxOutputLength: MAX_CONTROL_TAR_BYTES });
    if (name === 'control.tar.xz') return await inflateXz(bytes);
    if (name === 'control.tar.zst') {
      const out = zstdDecompress(bytes);
      if (out.byteLength > MAX_CONTROL_TAR_BYTES)
        throw new DepotError('PAYLOAD_TOO_LARGE', 'the control archive is too large');
      return out;
    }
  } catch (err) {
    if (err instanceof DepotError) throw err;
    throw badRequest(`${name} could not be decompressed`);
  }
  throw badRequest(`unsupported control member ${name}`);
}

/** The `./control` file of a tar archive. */
function controlOfTar(tar: Uint8Array): string {
  let at = 0;
  while (at + 512 <= tar.byteLength) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = Buffer.from(header.subarray(0, 100)).toString('latin1').replace(/\0.*$/s, '');
    const prefix = Buffer.from(header.subarray(345, 500)).toString('latin1').replace(/\0.*$/s, '');
    const size = Number.parseInt(
      Buffer.from(header.subarray(124, 136)).toString('latin1').replace(/\0.*$/s, '').trim() || '0',
      8,
    );
    if (!Number.isFinite(size) || size < 0) throw badRequest('the control archive is corrupt');
    const full = prefix === '' ? name : `${prefix}/${name}`;
    const body = at + 512;
    if (full === './control' || full === 'control') {
      if (body + size > tar.byteLength) throw badRequest('the control archive is truncated');
      return new TextDecoder('utf-8', { fatal: false }).decode(tar.subarray(body, body + size));
    }
    at = body + Math.ceil(size / 512) * 512;
  }
  throw badRequest('the package has no control file');
}

/** Parses one deb822 paragraph (`Field: value`, continuation lines start with a space or tab). */
export function parseControl(text: string): ControlFields {
  const fields: [string, string][] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (fields.length > 0) break;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = fields.at(-1);
      if (last === undefined) throw badRequest('the control file starts with a continuation line');
      last[1] = `${last[1]}\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw badRequest(`the control file has a line without a field: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon);
    if (!/^[!-9;-~]+$/.test(name) || name.startsWith('#') || name.startsWith('-')) {
      throw badRequest(`the control file has an invalid field name ${name.slice(0, 80)}`);
    }
    fields.push([name, line.slice(colon + 1).trim()]);
  }
  return fields;
}

/**
 * Reads the control fields of the `.deb` at `path`: an ar archive (`debian-binary`, then
 * `control.tar[.gz|.xz|.zst]`). Anything else is `BAD_REQUEST`; a huge control member is refused
 * before it is read.
 */
export async function readDebControl(path: string): Promise<ControlFields> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await file.read(buf, 0, length, position);
      if (bytesRead !== length) throw badRequest('the package is truncated');
      return buf;
    };
    if (size < AR_MAGIC.length || (await read(0, AR_MAGIC.length)).toString('latin1') !== AR_MAGIC) {
      throw badRequest('not a Debian package: not an ar archive');
    }
    let at = AR_MAGIC.length;
    let first = true;
    while (at + HEADER <= size) {
      const header = (await read(at, HEADER)).toString('latin1');
      const name = header.slice(0, 16).trim().replace(/\/$/, '');
      const length = Number.parseInt(header.slice(48, 58).trim(), 10);
      if (!Number.isSafeInteger(length) || length < 0 || header.slice(58, 60) !== '`\n') {
        throw badRequest('not a Debian package: a corrupt ar member header');
      }
      const body = at + HEADER;
      if (first) {
        if (name !== 'debian-binary') throw badRequest('not a Debian package: the first member is not debian-binary');
        const version = (await read(body, Math.min(length, 16))).toString('latin1').trim();
        if (!version.startsWith('2.')) throw badRequest(`unsupported Debian package format ${version}`);
        first = false;
      } else if (name.startsWith('control.tar')) {
        if (length > MAX_CONTROL_BYTES) {
          throw new DepotError('PAYLOAD_TOO_LARGE', `the control member is larger than ${MAX_CONTROL_BYTES} bytes`);
        }
        return parseControl(controlOfTar(await inflate(name, await read(body, length))));
      }
      at = body + length + (length % 2);
    }
    throw badRequest('not a Debian package: no control member');
  } finally {
    await file.close();
  }
}
