import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** A Python distribution file and the multipart body twine would upload it with. */
export interface WheelUpload {
  readonly filename: string;
  readonly bytes: Buffer;
  readonly body: Buffer;
  readonly contentType: string;
}

/** Little-endian fields laid out back to back: `[value, byteWidth]`. */
function fields(...parts: [number, 2 | 4][]): Buffer {
  const out = Buffer.alloc(parts.reduce((n, [, w]) => n + w, 0));
  let at = 0;
  for (const [value, width] of parts) {
    if (width === 2) out.writeUInt16LE(value, at);
    else out.writeUInt32LE(value >>> 0, at);
    at += width;
  }
  return out;
}

/** A zip of `files` with every entry stored (method 0): the archive is as large as its content. */
function storedZip(files: readonly (readonly [string, Buffer])[]): Buffer {
  const body: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [path, data] of files) {
    const name = Buffer.from(path);
    const crc = crc32(data);
    const local = fields([0x04034b50, 4], [20, 2], [0, 2], [0, 2], [0, 2], [0, 2], [crc, 4]);
    const sizes = fields([data.length, 4], [data.length, 4], [name.length, 2], [0, 2]);
    body.push(local, sizes, name, data);
    directory.push(
      fields([0x02014b50, 4], [(3 << 8) | 20, 2], [20, 2], [0, 2], [0, 2], [0, 2], [0, 2], [crc, 4]),
      fields([data.length, 4], [data.length, 4], [name.length, 2], [0, 2], [0, 2], [0, 2], [0, 2]),
      fields([0o100644 << 16, 4], [offset, 4]),
      name,
    );
    offset += local.length + sizes.length + name.length + data.length;
  }
  const cd = Buffer.concat(directory);
  const end = fields(
    [0x06054b50, 4],
    [0, 2],
    [0, 2],
    [files.length, 2],
    [files.length, 2],
    [cd.length, 4],
    [offset, 4],
    [0, 2],
  );
  return Buffer.concat([...body, cd, end]);
}

/**
 * A pure-Python wheel `{name}-{version}-py3-none-any.whl` (METADATA, WHEEL, RECORD and a module
 * carrying `filler`), with the twine upload form for it.
 */
export function benchWheel(name: string, version: string, filler: Buffer): WheelUpload {
  const info = `${name}-${version}.dist-info`;
  const files: [string, Buffer][] = [
    [`${name}/__init__.py`, Buffer.from(`__version__ = "${version}"\n`)],
    [`${name}/blob.bin`, filler],
    [`${info}/METADATA`, Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: bench\n`)],
    [
      `${info}/WHEEL`,
      Buffer.from('Wheel-Version: 1.0\nGenerator: depot-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    ],
  ];
  const digest = (b: Buffer): string => `sha256=${createHash('sha256').update(b).digest('base64url')}`;
  const record = files.map(([p, b]) => `${p},${digest(b)},${b.length}\n`).join('') + `${info}/RECORD,,\n`;
  const bytes = storedZip([...files, [`${info}/RECORD`, Buffer.from(record)]]);
  const filename = `${name}-${version}-py3-none-any.whl`;
  const form: Record<string, string> = {
    ':action': 'file_upload',
    protocol_version: '1',
    metadata_version: '2.1',
    name,
    version,
    filetype: 'bdist_wheel',
    pyversion: 'py3',
    sha256_digest: createHash('sha256').update(bytes).digest('hex'),
  };
  const boundary = `depotbench${createHash('md5').update(filename).digest('hex')}`;
  const head = Object.entries(form)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('');
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${filename}"\r\n\r\n`;
  return {
    filename,
    bytes,
    body: Buffer.concat([Buffer.from(head + fileHead), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
