import { crc32 } from 'node:zlib';

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
export function storedZip(files: readonly (readonly [string, Buffer])[]): Buffer {
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
