import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ByteSource, badRequest, DepotError, isDepotError } from '@depot/core';
import busboy from 'busboy';

/** A parsed upload form: its text fields, its one file (spooled to a temp file), and cleanup. */
export interface UploadForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly file: { readonly filename: string; readonly path: string } | null;
  cleanup(): Promise<void>;
}

/**
 * Reads a `multipart/form-data` upload: text fields (at most 16, 64 KiB each) and one file part
 * named `file`, spooled to disk up to `limit` bytes (fields may come before or after it).
 * Anything else — another file part, a malformed body — is a 400; too large a file is a 413.
 */
export async function readUploadForm(
  contentType: string | undefined,
  body: ByteSource,
  limit: number,
): Promise<UploadForm> {
  if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) {
    throw badRequest('expected a multipart/form-data body');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fields: 16, parts: 17, fieldSize: 64 * 1024, fileSize: limit, headerPairs: 64 },
    });
  } catch {
    throw badRequest('malformed multipart content type');
  }
  const dir = await mkdtemp(join(tmpdir(), 'depot-yum-form-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const fields = new Map<string, string>();
  let file: UploadForm['file'] = null;
  const input = Readable.from(body, { objectMode: false });
  try {
    await new Promise<void>((resolve, reject) => {
      let writing: Promise<void> = Promise.resolve();
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        input.unpipe(parser);
        input.destroy();
        reject(isDepotError(err) ? err : badRequest(`malformed multipart body: ${(err as Error).message ?? err}`));
      };
      parser.on('field', (name, value, info) => {
        if (info.valueTruncated) fail(badRequest(`form field ${name} is too long`));
        else fields.set(name, value);
      });
      parser.on('file', (field, stream, info) => {
        if (field !== 'file') {
          stream.resume();
          fail(badRequest(`unexpected file part ${field}: send the package as "file"`, { field }));
          return;
        }
        const filename = (info.filename ?? '').split(/[\\/]/).pop() ?? '';
        const path = join(dir, 'upload.rpm');
        stream.on('limit', () =>
          fail(new DepotError('PAYLOAD_TOO_LARGE', `the package is larger than ${limit} bytes`)),
        );
        file = { filename, path };
        writing = pipeline(stream, createWriteStream(path)).catch(fail);
      });
      parser.on('filesLimit', () => fail(badRequest('only one file per upload')));
      parser.on('partsLimit', () => fail(badRequest('too many parts in the form')));
      parser.on('fieldsLimit', () => fail(badRequest('too many fields in the form')));
      parser.on('error', fail);
      parser.on('close', () => {
        writing.then(() => {
          if (!failed) resolve();
        }, fail);
      });
      input.on('error', fail);
      input.pipe(parser);
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { fields, file, cleanup };
}
