import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FormatHarness } from '@depot/testkit';

/** A collected harness response. */
export type HarnessResponse = Awaited<ReturnType<FormatHarness['request']>>;

/** One tar entry for {@link makeTgz}. */
export interface TarEntry {
  readonly path: string;
  readonly body?: string;
  /** Tar type flag: `0` file (default), `2` symlink, `5` directory. */
  readonly type?: string;
  readonly link?: string;
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(entry.path, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write('        ', 148);
  block.write(entry.type ?? '0', 156);
  if (entry.link !== undefined) block.write(entry.link, 157, 100);
  block.write('ustar\u000000', 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** Builds a gzipped tar from entries (enough of ustar for npm and for Depot's inspector). */
export function makeTgz(entries: readonly TarEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    parts.push(header(entry, body.byteLength), body, Buffer.alloc((512 - (body.byteLength % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return new Uint8Array(gzipSync(Buffer.concat(parts)));
}

/** A package tarball with `package/package.json` and an index.js that says `variant`. */
export function packageTgz(
  name: string,
  version: string,
  variant = 0,
  extra: Record<string, unknown> = {},
): Uint8Array {
  return makeTgz([
    { path: 'package/package.json', body: JSON.stringify({ name, version, ...extra }) },
    { path: 'package/index.js', body: `module.exports = ${JSON.stringify(`${name}@${version}#${variant}`)};\n` },
  ]);
}

/** `sha512-<base64>` of bytes. */
export const sri = (bytes: Uint8Array): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
export const sha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

/** Options of {@link publishBody}. */
export interface PublishBodyOptions {
  readonly tag?: string;
  readonly manifest?: Record<string, unknown>;
  readonly integrity?: string;
  readonly shasum?: string;
  readonly length?: number;
  readonly attachmentName?: string;
  readonly data?: string;
  readonly bodyName?: string;
  readonly versionKey?: string;
}

/** The JSON body `npm publish` sends (libnpmpublish shape). */
export function publishBody(
  name: string,
  version: string,
  tgz: Uint8Array,
  o: PublishBodyOptions = {},
): Record<string, unknown> {
  const file = o.attachmentName ?? `${name}-${version}.tgz`;
  const manifest = {
    name,
    version,
    description: `the ${name} package`,
    ...o.manifest,
    _id: `${name}@${version}`,
    dist: {
      integrity: o.integrity ?? sri(tgz),
      shasum: o.shasum ?? sha1(tgz),
      tarball: `http://localhost/${name}/-/${file}`,
    },
  };
  return {
    _id: name,
    name: o.bodyName ?? name,
    description: `the ${name} package`,
    'dist-tags': { [o.tag ?? 'latest']: version },
    versions: { [o.versionKey ?? version]: manifest },
    access: null,
    _attachments: {
      [file]: {
        content_type: 'application/octet-stream',
        data: o.data ?? Buffer.from(tgz).toString('base64'),
        length: o.length ?? tgz.byteLength,
      },
    },
  };
}

/** npm's URL spelling of a package name. */
export const esc = (name: string): string => (name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : name);

/** Publishes `name@version` (built with {@link packageTgz}) into `repo`. */
export async function publish(
  h: FormatHarness,
  repo: string,
  name: string,
  version: string,
  o: PublishBodyOptions & { readonly variant?: number; readonly tgz?: Uint8Array } = {},
): Promise<HarnessResponse> {
  const tgz = o.tgz ?? packageTgz(name, version, o.variant ?? 0);
  return h.request({
    method: 'PUT',
    repo,
    path: esc(name),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(publishBody(name, version, tgz, o)),
  });
}

/** Full packument JSON. */
export interface PackumentJson {
  name: string;
  _rev?: string;
  'dist-tags': Record<string, string>;
  versions: Record<
    string,
    { version: string; deprecated?: string; dist: { tarball: string; integrity: string; shasum: string } }
  >;
  time?: Record<string, string>;
}

/** GETs the full packument (`?write=true` when asked). */
export async function getPackument(
  h: FormatHarness,
  repo: string,
  name: string,
  write = false,
): Promise<HarnessResponse> {
  return h.request({ method: 'GET', repo, path: esc(name), ...(write ? { query: { write: 'true' } } : {}) });
}

/** The repository-relative path of a tarball URL in a packument. */
export function tarballRepoPath(url: string, repo: string): string {
  const marker = `/repository/${repo}/`;
  const at = new URL(url).pathname.indexOf(marker);
  if (at === -1) throw new Error(`tarball ${url} is not under ${marker}`);
  return new URL(url).pathname.slice(at + marker.length);
}
