import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FormatHarness } from '@depot/testkit';

/** A ustar header block for a regular file (type `0`) or another `type`. */
function tarHeader(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${(1_700_000_000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A gzipped tar of `files` (path → content). */
export function tarGz(files: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const [path, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    parts.push(tarHeader(path, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return gzipSync(Buffer.concat([...parts, Buffer.alloc(1024)]));
}

/** A `.crate` for `name` `version` as cargo packages it; `variant` changes its bytes. */
export function crateFile(name: string, version: string, variant = 0, extra: Record<string, string> = {}): Buffer {
  const root = `${name}-${version}`;
  return tarGz({
    [`${root}/Cargo.toml`]: `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n`,
    [`${root}/src/lib.rs`]: `pub fn variant() -> u32 { ${variant} }\n`,
    ...extra,
  });
}

/** Cargo's publish body: u32 LE JSON length, the JSON, u32 LE crate length, the crate. */
export function publishBody(metadata: unknown, crate: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(metadata));
  const a = Buffer.alloc(4);
  a.writeUInt32LE(json.length);
  const b = Buffer.alloc(4);
  b.writeUInt32LE(crate.byteLength);
  return Buffer.concat([a, json, b, crate]);
}

/** The metadata cargo sends for a crate with `deps`. */
export const metadataOf = (name: string, vers: string, deps: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  name,
  vers,
  deps,
  features: {},
  authors: [],
  description: `the ${name} crate`,
  license: 'MIT',
  ...extra,
});

/** Publishes `crate` as `name` `version` through the API. */
export const publish = (
  h: FormatHarness,
  repo: string,
  name: string,
  version: string,
  crate: Uint8Array,
  meta?: unknown,
) =>
  h.request({
    method: 'PUT',
    repo,
    path: 'api/v1/crates/new',
    body: publishBody(meta ?? metadataOf(name, version), crate),
  });

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
