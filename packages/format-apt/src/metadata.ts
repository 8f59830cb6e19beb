import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { clearsign, detachSign, type SigningKey } from '@depot/signing';
import type { PackageRecord } from './store.js';

/** What one distribution serves under `dists/{dist}/`, built once per generation. */
export interface BuiltDist {
  /** Paths relative to `dists/{dist}/` (`Release`, `InRelease`, `main/binary-amd64/Packages.gz`, …). */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Fields Depot writes itself after the control fields. */
const FILE_FIELDS = new Set(['filename', 'size', 'md5sum', 'sha1', 'sha256', 'sha512', 'description-md5']);

/** One `Packages` stanza: the control fields in their order, then where the file is and its digests. */
export function stanza(p: PackageRecord): string {
  const lines = p.fields
    .filter(([name]) => !FILE_FIELDS.has(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value}`);
  lines.push(
    `Filename: ${p.filename}`,
    `Size: ${p.size}`,
    `MD5sum: ${p.md5}`,
    `SHA1: ${p.sha1}`,
    `SHA256: ${p.sha256}`,
  );
  return `${lines.join('\n')}\n`;
}

const field = (p: PackageRecord, name: string): string => p.fields.find(([n]) => n.toLowerCase() === name)?.[1] ?? '';

/** A `Packages` file: stanzas sorted by package name then version, separated by blank lines. */
export function packagesFile(records: readonly PackageRecord[]): string {
  const sorted = [...records].sort(
    (a, b) =>
      field(a, 'package').localeCompare(field(b, 'package')) || field(a, 'version').localeCompare(field(b, 'version')),
  );
  return sorted.map(stanza).join('\n');
}

const hex = (algorithm: string, bytes: Uint8Array): string => createHash(algorithm).update(bytes).digest('hex');

/** The date form Release files use (RFC 2822, UTC). */
export const releaseDate = (ms: number): string => new Date(ms).toUTCString().replace('GMT', 'UTC');

/** Options of {@link buildDist}. */
export interface BuildOptions {
  readonly repo: string;
  readonly dist: string;
  /** Architectures every distribution offers, besides those its packages name. */
  readonly architectures: readonly string[];
  readonly now: number;
  readonly key: SigningKey;
}

/**
 * Builds every index of a distribution: per component and architecture `Packages` and
 * `Packages.gz` (`Architecture: all` packages folded into every architecture), the `Release` with
 * MD5Sum/SHA1/SHA256 of each, and its signatures `InRelease` (clear-signed) and `Release.gpg`.
 */
export async function buildDist(records: readonly PackageRecord[], options: BuildOptions): Promise<BuiltDist> {
  const components = [...new Set(['main', ...records.map((r) => r.component)])].sort();
  const architectures = [
    ...new Set([...options.architectures, ...records.map((r) => r.architecture).filter((a) => a !== 'all')]),
  ].sort();
  const files = new Map<string, Uint8Array>();
  for (const component of components) {
    for (const arch of architectures) {
      const here = records.filter(
        (r) => r.component === component && (r.architecture === arch || r.architecture === 'all'),
      );
      const text = Buffer.from(packagesFile(here));
      const dir = `${component}/binary-${arch}`;
      files.set(`${dir}/Packages`, text);
      files.set(`${dir}/Packages.gz`, gzipSync(text, { level: 9 }));
    }
  }
  return signedDist(files, { ...options, components, architectures });
}

/**
 * Adds `Release` (MD5Sum/SHA1/SHA256 of every file in `files`), `InRelease` and `Release.gpg` to
 * `files`, the indexes of a distribution offering `components` × `architectures`.
 */
export async function signedDist(
  files: Map<string, Uint8Array>,
  options: Omit<BuildOptions, 'architectures'> & {
    readonly components: readonly string[];
    readonly architectures: readonly string[];
  },
): Promise<BuiltDist> {
  const { components, architectures } = options;
  const listed = [...files.entries()].sort(([a], [b]) => a.localeCompare(b));
  const section = (title: string, algorithm: string) =>
    `${title}:\n${listed.map(([path, bytes]) => ` ${hex(algorithm, bytes)} ${String(bytes.byteLength).padStart(8)} ${path}`).join('\n')}\n`;
  const release =
    [
      'Origin: Depot',
      `Label: ${options.repo}`,
      `Suite: ${options.dist}`,
      `Codename: ${options.dist}`,
      `Date: ${releaseDate(options.now)}`,
      `Architectures: ${architectures.join(' ')}`,
      `Components: ${components.join(' ')}`,
      `Description: ${options.repo} ${options.dist}`,
      'Acquire-By-Hash: yes',
    ].join('\n') +
    '\n' +
    section('MD5Sum', 'md5') +
    section('SHA1', 'sha1') +
    section('SHA256', 'sha256');
  const releaseBytes = Buffer.from(release);
  // Every index also under its SHA-256 (`{dir}/by-hash/SHA256/{hex}`): a client holding this Release
  // still finds its indexes after the next change replaced them.
  for (const [path, bytes] of listed) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    files.set(`${dir}/by-hash/SHA256/${hex('sha256', bytes)}`, bytes);
  }
  files.set('Release', releaseBytes);
  files.set('InRelease', Buffer.from(await clearsign(options.key, release)));
  files.set('Release.gpg', Buffer.from(await detachSign(options.key, releaseBytes)));
  return { files };
}

/** `Packages` text with the stanzas of `texts` merged in order: the first of each package, version and architecture wins. */
export function mergePackages(texts: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of texts) {
    for (const raw of text.split(/\n[ \t]*\n/)) {
      const stanza = raw.trim();
      if (stanza === '') continue;
      const get = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim() ?? '';
      const key = `${get('Package')}\u0000${get('Version')}\u0000${get('Architecture')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`${stanza}\n`);
    }
  }
  return out.join('\n');
}

/** The value of `field` in a Release file's header (e.g. `Components`), split on spaces. */
export function releaseList(release: string, field: string): string[] {
  const m = new RegExp(`^${field}:[ \\t]*(.*)$`, 'mi').exec(release);
  return (m?.[1] ?? '').split(/\s+/).filter((v) => v !== '');
}
