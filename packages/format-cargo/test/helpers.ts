import { createHash } from 'node:crypto';
import { type FormatHarness, tgz } from '@depot/testkit';

/** A gzipped tar of `files` (path → content). */
export const tarGz = (files: Readonly<Record<string, string>>): Buffer => tgz(files);

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
