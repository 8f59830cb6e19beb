import { createHash } from 'node:crypto';
import { deflateRawSync, gzipSync } from 'node:zlib';

/** One entry of a zip built by {@link makeZip}. */
export interface ZipInput {
  readonly name: string;
  readonly data: string | Uint8Array;
  /** Unix mode (e.g. `0o120777` for a symlink); default a regular file. */
  readonly mode?: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A deflated zip archive of `entries`, as Python's zipfile writes them. */
export function makeZip(entries: readonly ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : Buffer.from(entry.data);
    const packed = deflateRawSync(data);
    const name = Buffer.from(entry.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** A distribution file: its name and bytes. */
export interface Dist {
  readonly filename: string;
  readonly bytes: Buffer;
}

/** Options of {@link makeWheel}. */
export interface WheelOptions {
  /** `Name:` in METADATA (default the project name). */
  readonly metadataName?: string;
  /** `Version:` in METADATA (default the version). */
  readonly metadataVersion?: string;
  readonly requiresPython?: string;
  /** Changes the module's content, so two variants of one version differ. */
  readonly variant?: number;
  /** More entries (e.g. `../evil.py`). */
  readonly extra?: readonly ZipInput[];
  /** Leave out METADATA. */
  readonly noMetadata?: boolean;
}

const recordHash = (data: string): string => `sha256=${createHash('sha256').update(data).digest('base64url')}`;

/**
 * A minimal pure-Python wheel (`{dist}-{version}-py3-none-any.whl`, Metadata-Version 2.1 so that
 * Debian's twine 4 accepts it), installable by pip: a module `{dist}` with `hello()`.
 */
export function makeWheel(name: string, version: string, options: WheelOptions = {}): Dist {
  const dist = name.replace(/[-.]+/g, '_');
  const module = dist.toLowerCase();
  const info = `${dist}-${version}.dist-info`;
  const lines = [
    'Metadata-Version: 2.1',
    `Name: ${options.metadataName ?? name}`,
    `Version: ${options.metadataVersion ?? version}`,
    'Summary: a Depot test package',
  ];
  if (options.requiresPython !== undefined) lines.push(`Requires-Python: ${options.requiresPython}`);
  const files: [string, string][] = [
    [
      `${module}/__init__.py`,
      `__version__ = "${version}"\nVARIANT = ${options.variant ?? 0}\ndef hello():\n    return "hello from ${name}"\n`,
    ],
    [`${info}/WHEEL`, 'Wheel-Version: 1.0\nGenerator: depot-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
  ];
  if (options.noMetadata !== true) files.push([`${info}/METADATA`, `${lines.join('\n')}\n\nA test package.\n`]);
  const record = `${files.map(([p, c]) => `${p},${recordHash(c)},${Buffer.byteLength(c)}`).join('\n')}\n${info}/RECORD,,\n`;
  const bytes = makeZip([
    ...files.map(([p, c]) => ({ name: p, data: c })),
    { name: `${info}/RECORD`, data: record },
    ...(options.extra ?? []),
  ]);
  return { filename: `${dist}-${version}-py3-none-any.whl`, bytes };
}

/** One extra entry of {@link makeSdist}: `type` `'2'` is a symlink to `link`. */
export interface TarInput {
  readonly path: string;
  readonly data?: string;
  readonly type?: string;
  readonly link?: string;
}

function tarEntry(path: string, data: Buffer, type = '0', link = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(path, 0, 100);
  header.write(link, 157, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write(type, 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad]);
}

/**
 * A PEP 517 build backend that needs nothing but the standard library, so pip can prepare and
 * build the sdist offline: metadata from PKG-INFO, a wheel holding the package directory.
 */
const BACKEND = `import os, zipfile, hashlib, base64
def _meta():
    with open("PKG-INFO") as f:
        return f.read()
def _field(meta, key):
    return next(l.split(":", 1)[1].strip() for l in meta.splitlines() if l.startswith(key + ":"))
def _dist(meta):
    return _field(meta, "Name").replace("-", "_").replace(".", "_") + "-" + _field(meta, "Version")
def get_requires_for_build_wheel(config_settings=None):
    return []
def get_requires_for_build_sdist(config_settings=None):
    return []
def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    meta = _meta()
    info = _dist(meta) + ".dist-info"
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    with open(os.path.join(metadata_directory, info, "METADATA"), "w") as f:
        f.write(meta)
    return info
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    meta = _meta()
    dist = _dist(meta)
    name = dist + "-py3-none-any.whl"
    files = {dist + ".dist-info/METADATA": meta.encode(),
             dist + ".dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: depot-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    for root, _, names in os.walk(os.environ.get("DEPOT_MODULE", MODULE)):
        for n in names:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                files[p.replace(os.sep, "/")] = f.read()
    record = "".join(p + ",sha256=" + base64.urlsafe_b64encode(hashlib.sha256(c).digest()).rstrip(b"=").decode() + "," + str(len(c)) + "\\n" for p, c in files.items())
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for p, c in files.items():
            z.writestr(p, c)
        z.writestr(dist + ".dist-info/RECORD", record + dist + ".dist-info/RECORD,,\\n")
    return name
`;

/**
 * An sdist (`{dist}-{version}.tar.gz`) with PKG-INFO at Metadata-Version 2.1 and an in-tree
 * standard-library build backend, so pip downloads and installs it without network or setuptools.
 */
export function makeSdist(
  name: string,
  version: string,
  options: { readonly pkgInfoName?: string; readonly noPkgInfo?: boolean; readonly extra?: readonly TarInput[] } = {},
): Dist {
  const dist = name.replace(/[-.]+/g, '_');
  const module = dist.toLowerCase();
  const root = `${dist}-${version}`;
  const pkgInfo = `Metadata-Version: 2.1\nName: ${options.pkgInfoName ?? name}\nVersion: ${version}\nSummary: a Depot test sdist\n`;
  const pyproject = '[build-system]\nrequires = []\nbuild-backend = "depot_backend"\nbackend-path = ["."]\n';
  const entries: [string, string][] = [
    ...(options.noPkgInfo === true ? [] : [[`${root}/PKG-INFO`, pkgInfo] as [string, string]]),
    [`${root}/pyproject.toml`, pyproject],
    [`${root}/depot_backend.py`, `MODULE = ${JSON.stringify(module)}\n${BACKEND}`],
    [`${root}/${module}/__init__.py`, `__version__ = "${version}"\n`],
  ];
  const extra = (options.extra ?? []).map((e) => tarEntry(e.path, Buffer.from(e.data ?? ''), e.type, e.link));
  const tar = Buffer.concat([...entries.map(([p, c]) => tarEntry(p, Buffer.from(c))), ...extra, Buffer.alloc(1024)]);
  return { filename: `${root}.tar.gz`, bytes: gzipSync(tar) };
}

/** The multipart body twine sends for `dist` (fields first, then the file). */
export function uploadForm(
  dist: Dist,
  fields: Readonly<Record<string, string>>,
): { body: Buffer; contentType: string } {
  const boundary = `----depot${createHash('sha1').update(dist.bytes).digest('hex').slice(0, 16)}`;
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${dist.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    dist.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The fields twine sends for `dist` of `name` `version`, digests included. */
export function twineFields(dist: Dist, name: string, version: string): Record<string, string> {
  return {
    ':action': 'file_upload',
    protocol_version: '1',
    metadata_version: '2.1',
    name,
    version,
    filetype: dist.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
    pyversion: dist.filename.endsWith('.whl') ? 'py3' : 'source',
    sha256_digest: createHash('sha256').update(dist.bytes).digest('hex'),
    md5_digest: createHash('md5').update(dist.bytes).digest('hex'),
  };
}
