import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Dependency, PackageFile, RpmInfo } from './rpm.js';

/** One package as a repository lists it: its headers plus where it is and what its bytes hash to. */
export interface PackageEntry {
  readonly info: RpmInfo;
  /** Path relative to the repository root (`location href`). */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Upload time, seconds since the epoch (`time file`). */
  readonly fileTime: number;
}

/** A repository's generated `repodata/`: file name → bytes (`repomd.xml` and the content-addressed files). */
export type Repodata = ReadonlyMap<string, Uint8Array>;

const NS_COMMON = 'http://linux.duke.edu/metadata/common';
const NS_RPM = 'http://linux.duke.edu/metadata/rpm';
const NS_FILELISTS = 'http://linux.duke.edu/metadata/filelists';
const NS_OTHER = 'http://linux.duke.edu/metadata/other';
const NS_REPO = 'http://linux.duke.edu/metadata/repo';

/** XML text: escapes markup and drops characters XML 1.0 cannot carry. */
export function esc(s: string): string {
  return s
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const attrs = (pairs: Record<string, string | number | undefined>): string =>
  Object.entries(pairs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');

const version = (i: RpmInfo): string => `<version${attrs({ epoch: i.epoch, ver: i.version, rel: i.release })}/>`;

function entries(tag: string, deps: readonly Dependency[]): string {
  if (deps.length === 0) return '';
  const lines = deps.map(
    (d) =>
      `      <rpm:entry${attrs({ name: d.name, flags: d.flags, epoch: d.epoch, ver: d.ver, rel: d.rel, pre: d.pre ? '1' : undefined })}/>`,
  );
  return `    <rpm:${tag}>\n${lines.join('\n')}\n    </rpm:${tag}>\n`;
}

const file = (f: PackageFile): string => `<file${attrs({ type: f.type })}>${esc(f.path)}</file>`;

/** Files primary.xml carries (as createrepo does): configuration and executables, which dependencies name most. */
const isPrimaryFile = (path: string): boolean =>
  path.startsWith('/etc/') || path.includes('bin/') || path === '/usr/lib/sendmail';

function primaryPackage(p: PackageEntry): string {
  const i = p.info;
  return `<package type="rpm">
  <name>${esc(i.name)}</name>
  <arch>${esc(i.arch)}</arch>
  ${version(i)}
  <checksum type="sha256" pkgid="YES">${p.sha256}</checksum>
  <summary>${esc(i.summary)}</summary>
  <description>${esc(i.description)}</description>
  <packager>${esc(i.packager)}</packager>
  <url>${esc(i.url)}</url>
  <time${attrs({ file: p.fileTime, build: i.buildTime })}/>
  <size${attrs({ package: p.size, installed: i.installedSize, archive: i.archiveSize })}/>
  <location${attrs({ href: p.path })}/>
  <format>
    <rpm:license>${esc(i.license)}</rpm:license>
    <rpm:vendor>${esc(i.vendor)}</rpm:vendor>
    <rpm:group>${esc(i.group)}</rpm:group>
    <rpm:buildhost>${esc(i.buildhost)}</rpm:buildhost>
    <rpm:sourcerpm>${esc(i.sourcerpm)}</rpm:sourcerpm>
    <rpm:header-range${attrs({ start: i.headerStart, end: i.headerEnd })}/>
${entries('provides', i.provides)}${entries('requires', i.requires)}${entries('conflicts', i.conflicts)}${entries('obsoletes', i.obsoletes)}${entries('suggests', i.suggests)}${entries('enhances', i.enhances)}${entries('recommends', i.recommends)}${entries('supplements', i.supplements)}${i.files
  .filter((f) => isPrimaryFile(f.path))
  .map((f) => `    ${file(f)}\n`)
  .join('')}  </format>
</package>
`;
}

function filelistsPackage(p: PackageEntry): string {
  const i = p.info;
  const files = i.files.map((f) => `    ${file(f)}\n`).join('');
  return `<package${attrs({ pkgid: p.sha256, name: i.name, arch: i.arch })}>\n  ${version(i)}\n${files}</package>\n`;
}

function otherPackage(p: PackageEntry): string {
  const i = p.info;
  const logs = i.changelogs
    .map((c) => `  <changelog${attrs({ author: c.author, date: c.date })}>${esc(c.text)}</changelog>\n`)
    .join('');
  return `<package${attrs({ pkgid: p.sha256, name: i.name, arch: i.arch })}>\n  ${version(i)}\n${logs}</package>\n`;
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Package order in every file: name, then arch, then EVR as strings, then path (stable output). */
function sorted(packages: readonly PackageEntry[]): PackageEntry[] {
  const key = (p: PackageEntry) => [p.info.name, p.info.arch, p.info.epoch, p.info.version, p.info.release, p.path];
  return [...packages].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let k = 0; k < ka.length; k++) {
      const c = (ka[k] as string).localeCompare(kb[k] as string);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/**
 * Builds `repodata/`: `primary.xml.gz`, `filelists.xml.gz` and `other.xml.gz`, each named by the
 * SHA-256 of its compressed bytes, and `repomd.xml` describing them (checksum, open-checksum,
 * sizes, timestamp). `revision` and `timestamp` are `now` (seconds), so the same packages at the
 * same generation build the same bytes on every instance. `repomd.xml` is the one a signer signs.
 */
export function buildRepodata(packages: readonly PackageEntry[], now: number): Repodata {
  const list = sorted(packages);
  return assembleRepodata(
    {
      primary: list.map(primaryPackage),
      filelists: list.map(filelistsPackage),
      other: list.map(otherPackage),
    },
    now,
  );
}

/** The `<package>` elements of each document, as XML text, in the order they are listed. */
export interface PackageBlocks {
  readonly primary: readonly string[];
  readonly filelists: readonly string[];
  readonly other: readonly string[];
}

/** Wraps package elements into the three documents, compresses and names them, and writes `repomd.xml`. */
export function assembleRepodata(blocks: PackageBlocks, now: number): Repodata {
  const count = blocks.primary.length;
  const docs: [string, string][] = [
    [
      'primary',
      `${HEAD}<metadata xmlns="${NS_COMMON}" xmlns:rpm="${NS_RPM}" packages="${count}">\n${blocks.primary.join('')}</metadata>\n`,
    ],
    [
      'filelists',
      `${HEAD}<filelists xmlns="${NS_FILELISTS}" packages="${count}">\n${blocks.filelists.join('')}</filelists>\n`,
    ],
    ['other', `${HEAD}<otherdata xmlns="${NS_OTHER}" packages="${count}">\n${blocks.other.join('')}</otherdata>\n`],
  ];
  const files = new Map<string, Uint8Array>();
  const data: string[] = [];
  for (const [type, xml] of docs) {
    const open = Buffer.from(xml);
    // mtime 0 in the gzip header: the same XML compresses to the same bytes everywhere.
    const gz = gzipSync(open, { level: 9 });
    const digest = sha256(gz);
    const name = `${digest}-${type}.xml.gz`;
    files.set(name, gz);
    data.push(`  <data type="${type}">
    <checksum type="sha256">${digest}</checksum>
    <open-checksum type="sha256">${sha256(open)}</open-checksum>
    <location href="repodata/${name}"/>
    <timestamp>${now}</timestamp>
    <size>${gz.byteLength}</size>
    <open-size>${open.byteLength}</open-size>
  </data>
`);
  }
  const repomd = `${HEAD}<repomd xmlns="${NS_REPO}" xmlns:rpm="${NS_RPM}">\n  <revision>${now}</revision>\n${data.join('')}</repomd>\n`;
  files.set('repomd.xml', Buffer.from(repomd));
  return files;
}
