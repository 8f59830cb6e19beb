import { gzipSync } from 'node:zlib';

/** One entry of {@link tgz}: content, or a link (`type` `'1'` hard, `'2'` symbolic) to `link`. */
export interface TarFile {
  readonly data?: string | Uint8Array;
  readonly type?: string;
  readonly link?: string;
}

/** A ustar header block and the padded data of one entry. */
function tarEntry(path: string, data: Buffer, type: string, link: string): Buffer[] {
  const header = Buffer.alloc(512);
  header.write(path, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${data.byteLength.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write('        ', 148, 'latin1');
  header.write(type, 156, 'latin1');
  header.write(link, 157, 100, 'utf8');
  header.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return [header, data, Buffer.alloc((512 - (data.byteLength % 512)) % 512)];
}

/**
 * A gzipped tarball of `files` (path → content or {@link TarFile}), as package tarballs (npm, Helm,
 * Cargo) are laid out; `level` 0 stores without compressing.
 */
export function tgz(files: Readonly<Record<string, string | Uint8Array | TarFile>>, level?: number): Buffer {
  const entries = Object.entries(files).flatMap(([path, entry]) => {
    const file: TarFile = typeof entry === 'string' || entry instanceof Uint8Array ? { data: entry } : entry;
    const data = file.data === undefined ? Buffer.alloc(0) : Buffer.from(file.data);
    return tarEntry(path, data, file.type ?? '0', file.link ?? '');
  });
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]), level === undefined ? {} : { level });
}
