import { createHash } from 'node:crypto';
import { multipartForm } from './multipart.js';
import { storedZip } from './zip.js';

/** A Python distribution file and the multipart body twine would upload it with. */
export interface WheelUpload {
  readonly filename: string;
  readonly bytes: Buffer;
  readonly body: Buffer;
  readonly contentType: string;
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
  const fields: Record<string, string> = {
    ':action': 'file_upload',
    protocol_version: '1',
    metadata_version: '2.1',
    name,
    version,
    filetype: 'bdist_wheel',
    pyversion: 'py3',
    sha256_digest: createHash('sha256').update(bytes).digest('hex'),
  };
  const form = multipartForm(fields, { name: 'content', filename, bytes });
  return { filename, bytes, ...form };
}
