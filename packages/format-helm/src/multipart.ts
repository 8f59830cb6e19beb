import { Readable } from 'node:stream';
import { type ByteSource, badRequest, DepotError, isDepotError } from '@depot/core';
import busboy from 'busboy';

/** One file part of a multipart upload, streamed. */
export interface FilePart {
  readonly field: string;
  readonly filename: string;
  readonly stream: Readable;
}

/**
 * Streams a `multipart/form-data` body (what `helm cm-push` and curl `-F` send), handing each
 * file part to `onFile` in arrival order; the next part is read only once `onFile` has consumed
 * (or failed on) the current one, so no part is buffered here. A part `onFile` does not want must
 * be drained by it (`stream.resume()`). The first failure of the body or of `onFile` rejects and
 * stops reading.
 */
export async function readMultipart(
  contentType: string | undefined,
  body: ByteSource,
  onFile: (part: FilePart) => Promise<void>,
): Promise<void> {
  if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) {
    throw badRequest('expected a multipart/form-data body');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 4, fields: 16, parts: 24, fieldSize: 64 * 1024, headerPairs: 64 },
    });
  } catch {
    throw badRequest('malformed multipart content type');
  }
  const input = Readable.from(body, { objectMode: false });
  await new Promise<void>((resolve, reject) => {
    let chain = Promise.resolve();
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      input.unpipe(parser);
      input.destroy();
      reject(isDepotError(err) ? err : badRequest(`malformed multipart body: ${(err as Error).message ?? err}`));
    };
    parser.on('file', (field, stream, info) => {
      stream.on('limit', () => fail(new DepotError('PAYLOAD_TOO_LARGE', `multipart part ${field} is too large`)));
      chain = chain
        .then(() => (failed ? void stream.resume() : onFile({ field, filename: info.filename ?? '', stream })))
        .catch(fail);
    });
    parser.on('filesLimit', () => fail(badRequest('too many files in the multipart body')));
    parser.on('partsLimit', () => fail(badRequest('too many parts in the multipart body')));
    parser.on('error', fail);
    parser.on('close', () => {
      chain.then(() => {
        if (!failed) resolve();
      }, fail);
    });
    input.on('error', fail);
    input.pipe(parser);
  });
}
