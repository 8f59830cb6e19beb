import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Builds one ustar header block (POSIX.1-1988) for a regular file. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${(1_600_000_000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function tarEntry(name: string, data: Buffer): Buffer[] {
  const pad = (512 - (data.length % 512)) % 512;
  return [tarHeader(name, data.length), data, Buffer.alloc(pad)];
}

/** An npm package tarball with its dist fields. */
export interface NpmTarball {
  readonly data: Buffer;
  readonly shasum: string;
  readonly integrity: string;
}

/**
 * A real `.tgz` holding `package/package.json` and `package/blob.bin` (`filler`, stored with gzip
 * level 0 so the tarball is about as large as the filler).
 */
export function npmTarball(name: string, version: string, filler: Buffer): NpmTarball {
  const pkg = Buffer.from(JSON.stringify({ name, version, main: 'index.js', license: 'MIT' }, null, 2));
  const tar = Buffer.concat([
    ...tarEntry('package/package.json', pkg),
    ...tarEntry('package/blob.bin', filler),
    Buffer.alloc(1024),
  ]);
  const data = gzipSync(tar, { level: filler.length > 4096 ? 0 : 6 });
  return {
    data,
    shasum: createHash('sha1').update(data).digest('hex'),
    integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
  };
}

/** A Helm chart archive `{name}-{version}.tgz` holding `{name}/Chart.yaml` (apiVersion v2). */
export function helmChart(name: string, version: string): Buffer {
  const chart = Buffer.from(
    `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: bench chart ${name}\nappVersion: "${version}"\n`,
  );
  return gzipSync(Buffer.concat([...tarEntry(`${name}/Chart.yaml`, chart), Buffer.alloc(1024)]));
}

/** A `.crate` for cargo: `{name}-{version}/Cargo.toml` and a file carrying `filler` (stored, gzip level 0 when large). */
export function cargoCrate(name: string, version: string, filler: Buffer): Buffer {
  const root = `${name}-${version}`;
  const manifest = Buffer.from(`[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n`);
  const tar = Buffer.concat([
    ...tarEntry(`${root}/Cargo.toml`, manifest),
    ...tarEntry(`${root}/src/blob.bin`, filler),
    Buffer.alloc(1024),
  ]);
  return gzipSync(tar, { level: filler.length > 4096 ? 0 : 6 });
}

/** Cargo's publish body for `crate`: u32 LE JSON length, the metadata, u32 LE crate length, the crate. */
export function cargoPublishBody(name: string, version: string, crate: Buffer): Buffer {
  const json = Buffer.from(
    JSON.stringify({ name, vers: version, deps: [], features: {}, description: `bench ${name}` }),
  );
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32LE(json.length, 0);
  lengths.writeUInt32LE(crate.length, 4);
  return Buffer.concat([lengths.subarray(0, 4), json, lengths.subarray(4), crate]);
}
