import { createHash } from 'node:crypto';

/** A `multipart/form-data` body and its content type. */
export interface MultipartBody {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The form a browser or twine would send: text `fields` first, then one file part. */
export function multipartForm(
  fields: Readonly<Record<string, string>>,
  file: { readonly name: string; readonly filename: string; readonly bytes: Buffer },
): MultipartBody {
  const boundary = `depotbench${createHash('md5').update(file.filename).digest('hex')}`;
  const head = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('');
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head + fileHead), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
