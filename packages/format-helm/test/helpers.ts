import { gzipSync } from 'node:zlib';
import type { FormatHarness } from '@depot/testkit';

/** A collected harness response. */
export type HarnessResponse = Awaited<ReturnType<FormatHarness['request']>>;

/** One tar entry for {@link makeTgz}. */
export interface TarEntry {
  readonly path: string;
  readonly body?: string | Uint8Array;
  /** Tar type flag: `0` file (default), `1` hard link, `2` symlink, `5` directory. */
  readonly type?: string;
  readonly link?: string;
  /** Declared size, when it must differ from the body's (a truncated archive). */
  readonly size?: number;
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

/** The uncompressed tar of `entries`. */
export function makeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    parts.push(header(entry, entry.size ?? body.byteLength), body, Buffer.alloc((512 - (body.byteLength % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A gzipped tar of `entries`. */
export const makeTgz = (entries: readonly TarEntry[]): Uint8Array => new Uint8Array(gzipSync(makeTar(entries)));

/** A Chart.yaml for `name`@`version` with `extra` lines. */
export const chartYaml = (name: string, version: string, extra = ''): string =>
  `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: test chart ${name}\ntype: application\n${extra}`;

/** A packaged chart as helm writes it: `{name}/Chart.yaml` first, then values and a template. */
export function chartTgz(name: string, version: string, variant = 0, extra = ''): Uint8Array {
  return makeTgz([
    { path: `${name}/Chart.yaml`, body: chartYaml(name, version, extra) },
    { path: `${name}/values.yaml`, body: `replicaCount: ${variant + 1}\n` },
    { path: `${name}/templates/cm.yaml`, body: `kind: ConfigMap\n# ${name} ${version} variant ${variant}\n` },
  ]);
}

/** A multipart/form-data body, as `helm cm-push` builds it (`chart`, optional `prov`). */
export function multipart(parts: readonly { field: string; filename: string; body: Uint8Array | string }[]): {
  body: Uint8Array;
  contentType: string;
} {
  const boundary = `----depot${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.field}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(part.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A clear-signed provenance file (the signature is not checked by Depot). */
export const provFile = (name: string, version: string): string =>
  `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${chartYaml(name, version)}\n...\nfiles:\n  ${name}-${version}.tgz: sha256:00\n-----BEGIN PGP SIGNATURE-----\n\nwsBcBAEBCgAQBQJ=\n-----END PGP SIGNATURE-----\n`;
