import { open } from 'node:fs/promises';
import { badRequest } from '@depot/core';

/**
 * The RPM file format, as far as repository metadata needs it: a 96-byte lead (magic ED AB EE DB),
 * then two header structures — the signature header (padded to 8 bytes) and the main header —
 * then the compressed payload, which is never read. A header structure is: magic 8E AD E8 01, four
 * reserved bytes, the index entry count and the store size (both 32-bit big-endian), the index
 * entries (tag, type, offset into the store, count; 16 bytes each), then the store.
 */

const LEAD_SIZE = 96;
const LEAD_MAGIC = 0xedabeedb;
const HEADER_MAGIC = 0x8eade801;
/** Caps far above any real package (rpm's own limits are 64 K entries and a 256 MiB store). */
const MAX_ENTRIES = 65_536;
const MAX_STORE = 64 * 1024 * 1024;

/** Tag numbers (rpm's rpmtag.h). */
export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  ARCH: 1022,
  FILEMODES: 1030,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  CHANGELOGTIME: 1080,
  CHANGELOGNAME: 1081,
  CHANGELOGTEXT: 1082,
  OBSOLETENAME: 1090,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  RECOMMENDNAME: 5046,
  RECOMMENDVERSION: 5047,
  RECOMMENDFLAGS: 5048,
  SUGGESTNAME: 5049,
  SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051,
  SUPPLEMENTNAME: 5052,
  SUPPLEMENTVERSION: 5053,
  SUPPLEMENTFLAGS: 5054,
  ENHANCENAME: 5055,
  ENHANCEVERSION: 5056,
  ENHANCEFLAGS: 5057,
} as const;

/** Signature header tag: the uncompressed payload size. */
const SIGTAG_PAYLOADSIZE = 1007;

type Value = string | string[] | number[] | Uint8Array;

/** One parsed header structure: its values by tag, and how many bytes it took. */
interface Header {
  readonly values: ReadonlyMap<number, Value>;
  readonly length: number;
}

const bad = (why: string) => badRequest(`not a valid RPM package: ${why}`);

function parseHeader(buf: Buffer, at: number, read: (need: number) => Promise<Buffer>): Promise<Header> {
  return (async () => {
    let b = buf;
    if (b.length < at + 16) b = await read(at + 16);
    if (b.length < at + 16) throw bad('truncated header');
    if (b.readUInt32BE(at) !== HEADER_MAGIC) throw bad('bad header magic');
    const entries = b.readUInt32BE(at + 8);
    const storeSize = b.readUInt32BE(at + 12);
    if (entries === 0 || entries > MAX_ENTRIES) throw bad(`a header with ${entries} index entries`);
    if (storeSize > MAX_STORE) throw bad(`a header store of ${storeSize} bytes`);
    const length = 16 + entries * 16 + storeSize;
    if (b.length < at + length) b = await read(at + length);
    if (b.length < at + length) throw bad('truncated header');
    const storeAt = at + 16 + entries * 16;
    const values = new Map<number, Value>();
    for (let i = 0; i < entries; i++) {
      const e = at + 16 + i * 16;
      const tag = b.readUInt32BE(e);
      const type = b.readUInt32BE(e + 4);
      const offset = b.readUInt32BE(e + 8);
      const count = b.readUInt32BE(e + 12);
      if (offset > storeSize || count > storeSize + 1) throw bad(`index entry ${tag} points outside its store`);
      const p = storeAt + offset;
      const end = storeAt + storeSize;
      const strings = (n: number): string[] => {
        const out: string[] = [];
        let q = p;
        for (let k = 0; k < n; k++) {
          const z = b.indexOf(0, q);
          if (z < 0 || z >= end) throw bad(`an unterminated string in tag ${tag}`);
          out.push(b.toString('utf8', q, z));
          q = z + 1;
        }
        return out;
      };
      const ints = (width: number): number[] => {
        if (p + count * width > end) throw bad(`tag ${tag} runs past its store`);
        const out: number[] = [];
        for (let k = 0; k < count; k++) {
          const q = p + k * width;
          out.push(
            width === 1
              ? b.readUInt8(q)
              : width === 2
                ? b.readUInt16BE(q)
                : width === 4
                  ? b.readUInt32BE(q)
                  : Number(b.readBigUInt64BE(q)),
          );
        }
        return out;
      };
      switch (type) {
        case 1:
        case 2:
          values.set(tag, ints(1));
          break;
        case 3:
          values.set(tag, ints(2));
          break;
        case 4:
          values.set(tag, ints(4));
          break;
        case 5:
          values.set(tag, ints(8));
          break;
        case 6:
          values.set(tag, strings(1)[0] as string);
          break;
        case 7:
          if (p + count > end) throw bad(`tag ${tag} runs past its store`);
          values.set(tag, b.subarray(p, p + count));
          break;
        case 8:
        case 9:
          values.set(tag, strings(count));
          break;
        default:
          // Unknown types are skipped, as rpm does for tags it does not know.
          break;
      }
    }
    return { values, length };
  })();
}

/** A dependency of a package (provides, requires, …) as rpm-md lists it. */
export interface Dependency {
  readonly name: string;
  /** `EQ`, `LT`, `GT`, `LE`, `GE`, or absent. */
  readonly flags?: string;
  readonly epoch?: string;
  readonly ver?: string;
  readonly rel?: string;
  /** Requires only: needed before the package's scriptlets run. */
  readonly pre?: boolean;
}

/** A file of a package. */
export interface PackageFile {
  readonly path: string;
  /** `dir` or `ghost`; absent for a plain file. */
  readonly type?: 'dir' | 'ghost';
}

/** A changelog entry. */
export interface ChangelogEntry {
  readonly author: string;
  readonly date: number;
  readonly text: string;
}

/** What repository metadata says about one RPM, read from its headers. */
export interface RpmInfo {
  readonly name: string;
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  readonly summary: string;
  readonly description: string;
  readonly url: string;
  readonly packager: string;
  readonly license: string;
  readonly vendor: string;
  readonly group: string;
  readonly buildhost: string;
  readonly sourcerpm: string;
  readonly buildTime: number;
  readonly installedSize: number;
  readonly archiveSize: number;
  /** Byte range of the main header in the file (`rpm:header-range`). */
  readonly headerStart: number;
  readonly headerEnd: number;
  readonly provides: readonly Dependency[];
  readonly requires: readonly Dependency[];
  readonly conflicts: readonly Dependency[];
  readonly obsoletes: readonly Dependency[];
  readonly recommends: readonly Dependency[];
  readonly suggests: readonly Dependency[];
  readonly supplements: readonly Dependency[];
  readonly enhances: readonly Dependency[];
  readonly files: readonly PackageFile[];
  readonly changelogs: readonly ChangelogEntry[];
}

const SENSE_LESS = 2;
const SENSE_GREATER = 4;
const SENSE_EQUAL = 8;
const SENSE_PREREQ = 1 << 6;
const SENSE_SCRIPT_PRE = 1 << 9;
const SENSE_SCRIPT_POST = 1 << 10;
const SENSE_RPMLIB = 1 << 24;
const FILE_GHOST = 1 << 6;

function flagName(flags: number): string | undefined {
  const f = flags & (SENSE_LESS | SENSE_GREATER | SENSE_EQUAL);
  switch (f) {
    case SENSE_EQUAL:
      return 'EQ';
    case SENSE_LESS:
      return 'LT';
    case SENSE_GREATER:
      return 'GT';
    case SENSE_LESS | SENSE_EQUAL:
      return 'LE';
    case SENSE_GREATER | SENSE_EQUAL:
      return 'GE';
    default:
      return undefined;
  }
}

/** `[epoch:]version[-release]` split as rpm-md writes it. */
export function splitEvr(evr: string): { epoch?: string; ver?: string; rel?: string } {
  if (evr === '') return {};
  const colon = evr.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(evr.slice(0, colon)) ? evr.slice(0, colon) : undefined;
  const rest = epoch === undefined ? evr : evr.slice(colon + 1);
  const dash = rest.lastIndexOf('-');
  const ver = dash < 0 ? rest : rest.slice(0, dash);
  const rel = dash < 0 ? undefined : rest.slice(dash + 1);
  return { epoch: epoch ?? '0', ver, ...(rel === undefined ? {} : { rel }) };
}

const str = (v: Value | undefined): string =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
const strs = (v: Value | undefined): string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : typeof v === 'string' ? [v] : [];
const nums = (v: Value | undefined): number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : [];
const num = (v: Value | undefined): number => nums(v)[0] ?? 0;

function dependencies(
  h: ReadonlyMap<number, Value>,
  nameTag: number,
  flagsTag: number,
  versionTag: number,
  kind: 'provides' | 'requires' | 'other',
): Dependency[] {
  const names = strs(h.get(nameTag));
  const flags = nums(h.get(flagsTag));
  const versions = strs(h.get(versionTag));
  const out: Dependency[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const f = flags[i] ?? 0;
    // rpmlib() capabilities are rpm's own; repository metadata leaves them out.
    if (kind === 'requires' && ((f & SENSE_RPMLIB) !== 0 || name.startsWith('rpmlib('))) return;
    const flag = flagName(f);
    const evr = flag === undefined ? {} : splitEvr(versions[i] ?? '');
    const pre = kind === 'requires' && (f & (SENSE_PREREQ | SENSE_SCRIPT_PRE | SENSE_SCRIPT_POST)) !== 0;
    const dep: Dependency = { name, ...(flag === undefined ? {} : { flags: flag }), ...evr, ...(pre ? { pre } : {}) };
    const key = JSON.stringify(dep);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(dep);
  });
  return out;
}

/** Reads the headers of the RPM file at `path` (never its payload). `BAD_REQUEST` when it is not one. */
export async function readRpm(path: string): Promise<RpmInfo> {
  const fh = await open(path, 'r');
  try {
    let buf: Buffer = Buffer.alloc(0);
    const read = async (need: number): Promise<Buffer> => {
      if (need <= buf.length) return buf;
      const more = Buffer.alloc(need - buf.length);
      const { bytesRead } = await fh.read(more, 0, more.length, buf.length);
      buf = Buffer.concat([buf, more.subarray(0, bytesRead)]);
      return buf;
    };
    buf = await read(LEAD_SIZE + 16);
    if (buf.length < LEAD_SIZE || buf.readUInt32BE(0) !== LEAD_MAGIC) throw bad('no RPM lead (bad magic)');
    const sig = await parseHeader(buf, LEAD_SIZE, read);
    buf = await read(LEAD_SIZE + sig.length + 8);
    const headerStart = LEAD_SIZE + sig.length + ((8 - (sig.length % 8)) % 8);
    const main = await parseHeader(buf, headerStart, read);
    buf = await read(headerStart + main.length);
    const h = main.values;
    const name = str(h.get(TAG.NAME));
    const version = str(h.get(TAG.VERSION));
    const release = str(h.get(TAG.RELEASE));
    const arch = str(h.get(TAG.ARCH));
    if (name === '' || version === '' || release === '' || arch === '') throw bad('no name, version, release or arch');
    const isSource = !h.has(TAG.SOURCERPM);
    const dirnames = strs(h.get(TAG.DIRNAMES));
    const dirindexes = nums(h.get(TAG.DIRINDEXES));
    const modes = nums(h.get(TAG.FILEMODES));
    const fileflags = nums(h.get(TAG.FILEFLAGS));
    const files: PackageFile[] = strs(h.get(TAG.BASENAMES)).map((base, i) => {
      const path = `${dirnames[dirindexes[i] ?? 0] ?? ''}${base}`;
      const mode = modes[i] ?? 0;
      if (((fileflags[i] ?? 0) & FILE_GHOST) !== 0) return { path, type: 'ghost' };
      return (mode & 0o170000) === 0o040000 ? { path, type: 'dir' } : { path };
    });
    const times = nums(h.get(TAG.CHANGELOGTIME));
    const authors = strs(h.get(TAG.CHANGELOGNAME));
    const texts = strs(h.get(TAG.CHANGELOGTEXT));
    const epoch = h.has(TAG.EPOCH) ? String(num(h.get(TAG.EPOCH))) : '0';
    return {
      name,
      epoch,
      version,
      release,
      arch: isSource ? 'src' : arch,
      summary: str(h.get(TAG.SUMMARY)),
      description: str(h.get(TAG.DESCRIPTION)),
      url: str(h.get(TAG.URL)),
      packager: str(h.get(TAG.PACKAGER)),
      license: str(h.get(TAG.LICENSE)),
      vendor: str(h.get(TAG.VENDOR)),
      group: str(h.get(TAG.GROUP)),
      buildhost: str(h.get(TAG.BUILDHOST)),
      sourcerpm: str(h.get(TAG.SOURCERPM)),
      buildTime: num(h.get(TAG.BUILDTIME)),
      installedSize: num(h.get(TAG.SIZE)),
      archiveSize: num(sig.values.get(SIGTAG_PAYLOADSIZE)),
      headerStart,
      headerEnd: headerStart + main.length,
      provides: dependencies(h, TAG.PROVIDENAME, TAG.PROVIDEFLAGS, TAG.PROVIDEVERSION, 'provides'),
      requires: dependencies(h, TAG.REQUIRENAME, TAG.REQUIREFLAGS, TAG.REQUIREVERSION, 'requires'),
      conflicts: dependencies(h, TAG.CONFLICTNAME, TAG.CONFLICTFLAGS, TAG.CONFLICTVERSION, 'other'),
      obsoletes: dependencies(h, TAG.OBSOLETENAME, TAG.OBSOLETEFLAGS, TAG.OBSOLETEVERSION, 'other'),
      recommends: dependencies(h, TAG.RECOMMENDNAME, TAG.RECOMMENDFLAGS, TAG.RECOMMENDVERSION, 'other'),
      suggests: dependencies(h, TAG.SUGGESTNAME, TAG.SUGGESTFLAGS, TAG.SUGGESTVERSION, 'other'),
      supplements: dependencies(h, TAG.SUPPLEMENTNAME, TAG.SUPPLEMENTFLAGS, TAG.SUPPLEMENTVERSION, 'other'),
      enhances: dependencies(h, TAG.ENHANCENAME, TAG.ENHANCEFLAGS, TAG.ENHANCEVERSION, 'other'),
      files,
      changelogs: times.map((date, i) => ({ date, author: authors[i] ?? '', text: texts[i] ?? '' })),
    };
  } finally {
    await fh.close();
  }
}
