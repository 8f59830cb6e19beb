import { type MultipartBody, multipartForm } from './multipart.js';
import { storedZip } from './zip.js';

/** A Go module zip and the `POST upload` form that publishes it. */
export interface GoModuleUpload extends MultipartBody {
  readonly zip: Buffer;
}

/** Module `module` at `version`: `go.mod` plus a file carrying `filler`, stored (not deflated). */
export function goModule(module: string, version: string, filler: Buffer): GoModuleUpload {
  const root = `${module}@${version}`;
  const zip = storedZip([
    [`${root}/go.mod`, Buffer.from(`module ${module}\n\ngo 1.21\n`)],
    [`${root}/blob.bin`, filler],
  ]);
  return { zip, ...multipartForm({ module, version }, { name: 'zip', filename: `${version}.zip`, bytes: zip }) };
}
