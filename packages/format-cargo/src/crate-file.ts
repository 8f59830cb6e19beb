import { gunzipSync } from 'node:zlib';
import { badRequest } from '@depot/core';
import { parse as parseToml } from 'smol-toml';

/** What a `.crate` says about itself. */
export interface CrateManifest {
  readonly name: string;
  readonly version: string;
}

const field = (header: Buffer, at: number, length: number): string => {
  const raw = header.subarray(at, at + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
};

/** The `path=` record of a PAX extended header, if any. */
function paxPath(data: Buffer): string | undefined {
  for (const line of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m !== null) return m[1];
  }
  return undefined;
}

/**
 * Checks a `.crate` (a gzipped tar): every entry under `{name}-{version}/`, no `..` or absolute
 * paths, no links leading out, at most `maxUnpackedBytes` unpacked, and a `Cargo.toml` at the root
 * whose `[package]` name and version are the published ones. `BAD_REQUEST` naming the problem.
 */
export function checkCrateFile(
  crate: Uint8Array,
  name: string,
  version: string,
  maxUnpackedBytes: number,
): CrateManifest {
  let tar: Buffer;
  try {
    tar = gunzipSync(crate, { maxOutputLength: maxUnpackedBytes });
  } catch {
    throw badRequest(`the crate file is not gzip, or unpacks to more than ${maxUnpackedBytes} bytes`);
  }
  const root = `${name}-${version}/`;
  let manifest: string | undefined;
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0 || at + 512 + size > tar.length)
      throw badRequest('the crate file is a truncated tar');
    const type = String.fromCharCode(header[156] ?? 48);
    const data = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L' || type === 'x') {
      longName = type === 'L' ? field(data, 0, data.length) : paxPath(data);
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 345, 155);
    const path = longName ?? (prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    longName = undefined;
    if (path.startsWith('/') || path.split('/').includes('..') || path.includes('\\')) {
      throw badRequest(`the crate file has an unsafe path: ${JSON.stringify(path.slice(0, 200))}`);
    }
    if (!path.startsWith(root) && `${path}/` !== root) {
      throw badRequest(`the crate file has ${JSON.stringify(path.slice(0, 200))} outside ${root}`);
    }
    if (type === '1' || type === '2') {
      const link = field(header, 157, 100);
      if (link.startsWith('/') || link.split('/').includes('..')) throw badRequest(`the crate file links out: ${path}`);
    }
    if (path === `${root}Cargo.toml` && (type === '0' || type === '\0')) manifest = data.toString('utf8');
  }
  if (manifest === undefined) throw badRequest(`the crate file has no ${root}Cargo.toml`);
  let parsed: { package?: { name?: unknown; version?: unknown } };
  try {
    parsed = parseToml(manifest) as typeof parsed;
  } catch {
    throw badRequest("the crate file's Cargo.toml is not TOML");
  }
  const pkg = parsed.package;
  if (pkg?.name !== name || pkg?.version !== version) {
    throw badRequest(
      `the crate file's Cargo.toml is ${String(pkg?.name)} ${String(pkg?.version)}, not ${name} ${version}`,
    );
  }
  return { name, version };
}
