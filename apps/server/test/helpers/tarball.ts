import { gzipSync } from 'node:zlib';

/** One regular file of a ustar archive: header, data, padding to 512 bytes. */
function tarEntry(path: string, data: Buffer): Buffer[] {
  const header = Buffer.alloc(512);
  header.write(path, 0);
  header.write('0000644\0', 100);
  header.write(`${data.byteLength.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\u000000', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return [header, data, Buffer.alloc((512 - (data.byteLength % 512)) % 512)];
}

/** A gzipped tarball of `files` (path → content), like an npm package tarball; `level` 0 stores. */
export function tgz(files: Readonly<Record<string, string | Buffer>>, level?: number): Buffer {
  const entries = Object.entries(files).flatMap(([path, body]) =>
    tarEntry(path, typeof body === 'string' ? Buffer.from(body) : body),
  );
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]), level === undefined ? {} : { level });
}
