import { Readable } from 'node:stream';
import { type ByteSource, badRequest, DepotError, isDepotError } from '@depot/core';
import busboy from 'busboy';

/** A multipart upload read into memory: text fields and file parts, each bounded. */
export interface MultipartForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Per-part limits of {@link readForm}. */
export interface FormLimits {
  /** Largest file part by field name; a part whose name is missing here is refused. */
  readonly fileBytes: Readonly<Record<string, number>>;
}

/**
 * Reads a `multipart/form-data` body whose parts are bounded (a module zip is at most 500 MiB, and
 * its central directory sits at its end, so it is held whole). Parts may come as plain fields or
 * as files. `BAD_REQUEST` for a malformed body or an unexpected part, `PAYLOAD_TOO_LARGE` past a limit.
 */
export async function readForm(
  contentType: string | undefined,
  body: ByteSource,
  limits: FormLimits,
): Promise<MultipartForm> {
  if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) {
    throw badRequest('expected a multipart/form-data body');
  }
  const maxFile = Math.max(...Object.values(limits.fileBytes));
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 8, fields: 16, parts: 24, fieldSize: 64 * 1024, headerPairs: 64, fileSize: maxFile + 1 },
    });
  } catch {
    throw badRequest('malformed multipart content type');
  }
  const fields = new Map<string, string>();
  const files = new Map<string, Uint8Array>();
  const input = Readable.from(body, { objectMode: false });
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    let pending = 0;
    let closed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      input.unpipe(parser);
      input.destroy();
      reject(isDepotError(err) ? err : badRequest(`malformed multipart body: ${(err as Error).message ?? err}`));
    };
    const settle = (): void => {
      if (closed && pending === 0 && !failed) resolve();
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(badRequest(`multipart field ${name} is too long`));
      else fields.set(name, value);
    });
    parser.on('file', (name, stream) => {
      // Every part stream gets an error listener: a body cut off mid-part must not go unhandled.
      stream.on('error', fail);
      const max = limits.fileBytes[name];
      if (max === undefined) {
        stream.resume();
        fail(badRequest(`unexpected multipart part ${name}`, { field: name }));
        return;
      }
      pending++;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > max) {
          stream.resume();
          fail(new DepotError('PAYLOAD_TOO_LARGE', `multipart part ${name} is larger than ${max} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        pending--;
        if (stream.truncated) fail(new DepotError('PAYLOAD_TOO_LARGE', `multipart part ${name} is too large`));
        else files.set(name, new Uint8Array(Buffer.concat(chunks)));
        settle();
      });
    });
    parser.on('filesLimit', () => fail(badRequest('too many files in the multipart body')));
    parser.on('partsLimit', () => fail(badRequest('too many parts in the multipart body')));
    parser.on('fieldsLimit', () => fail(badRequest('too many fields in the multipart body')));
    parser.on('error', fail);
    parser.on('close', () => {
      closed = true;
      settle();
    });
    input.on('error', fail);
    input.pipe(parser);
  });
  return { fields, files };
}
