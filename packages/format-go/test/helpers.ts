import type { FormatHarness } from '@depot/testkit';
import { zipSync } from 'fflate';

/** A collected harness response. */
export type HarnessResponse = Awaited<ReturnType<FormatHarness['request']>>;

/** The module path the suite's artifact `name` stands for. */
export const modulePathOf = (name: string): string => `example.com/${name}`;

/** The Go version of the suite's `1.0.0`. */
export const goVersionOf = (version: string): string => (version.startsWith('v') ? version : `v${version}`);

/** A module zip: `files` (relative to the module root) under `{module}@{version}/`, or raw names when `raw`. */
export function moduleZip(
  module: string,
  version: string,
  files: Readonly<Record<string, string>>,
  raw = false,
): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, body] of Object.entries(files)) {
    entries[raw ? name : `${module}@${version}/${name}`] = new TextEncoder().encode(body);
  }
  return zipSync(entries);
}

/** A small module: go.mod and one Go file (`variant` changes the bytes). */
export const simpleModule = (module: string, version: string, variant = 0, extraMod = ''): Uint8Array =>
  moduleZip(module, version, {
    'go.mod': `module ${module}\n\ngo 1.19\n${extraMod}`,
    'lib.go': `package lib\n\n// Variant is ${variant}.\nconst Variant = ${variant}\n`,
  });

/** One multipart part: a text field (`filename` absent) or a file. */
export interface Part {
  readonly name: string;
  readonly body: string | Uint8Array;
  readonly filename?: string;
}

/** A multipart/form-data body, as `curl -F` builds it. */
export function multipart(parts: readonly Part[]): { body: Uint8Array; contentType: string } {
  const boundary = `----depotgo${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
      Buffer.from(part.body),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads `zip` as `module`@`version` (plus optional `mod`/`info` parts) to `repo`. */
export function uploadModule(
  h: FormatHarness,
  repo: string,
  module: string,
  version: string,
  zip: Uint8Array,
  extra: readonly Part[] = [],
): Promise<HarnessResponse> {
  const form = multipart([
    { name: 'module', body: module },
    { name: 'version', body: version },
    { name: 'zip', body: zip, filename: 'module.zip' },
    ...extra,
  ]);
  return h.request({
    method: 'POST',
    repo,
    path: 'upload',
    headers: { 'content-type': form.contentType },
    body: form.body,
  });
}
