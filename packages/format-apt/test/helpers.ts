import { tgz } from '@depot/testkit';

/** An ar archive of `members`, as `ar` (and `dpkg-deb`) write it. */
export function ar(members: readonly (readonly [string, Uint8Array])[]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.byteLength).padEnd(10)}\x60\n`;
    parts.push(Buffer.from(header, 'latin1'), Buffer.from(data));
    if (data.byteLength % 2 === 1) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** A `.deb` whose control file is `control` (gzip-compressed control archive) and whose data varies with `variant`. */
export function debWithControl(control: string, variant = 0): Buffer {
  return ar([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.gz', tgz({ './control': control })],
    ['data.tar.gz', tgz({ [`./usr/share/doc/variant-${variant}`]: `variant ${variant}\n` })],
  ]);
}

/** A `.deb` of `name` `version` for `arch`. */
export const debFile = (name: string, version: string, arch = 'all', variant = 0, extra = ''): Buffer =>
  debWithControl(
    `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\nMaintainer: Depot <depot@example.invalid>\n${extra}Description: ${name}\n test package\n`,
    variant,
  );

/** The file name Debian gives a package. */
export const debName = (name: string, version: string, arch = 'all'): string =>
  `${name}_${version.replace(/^\d+:/, '')}_${arch}.deb`;
