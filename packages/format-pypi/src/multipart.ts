import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type ByteSource, badRequest, DepotError } from '@depot/core';
import busboy from 'busboy';

/** The file part of an upload, spooled to a temporary file while hashed. */
export interface SpooledFile {
  readonly filename: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  readonly blake2b_256: string;
}

/** A parsed legacy upload form: its text fields and the `content` file. */
export interface UploadForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly file: SpooledFile | undefined;
  /** Removes the temporary file. */
  cleanup(): Promise<void>;
}

/** Largest text field accepted (a long description fits). */
const MAX_FIELD_BYTES = 4 * 1024 * 1024;
const MAX_FIELDS = 1000;

/**
 * Parses a `multipart/form-data` upload (the twine legacy API) from a stream, never holding the
 * file in memory: the `content` part goes to a temporary file while SHA-256, MD5 and BLAKE2b-256
 * are computed. More than `maxBytes` in the file is `PAYLOAD_TOO_LARGE`; anything malformed is
 * `BAD_REQUEST`. On error the temporary file is already gone.
 */
export async function receiveUpload(
  body: ByteSource,
  contentType: string | undefined,
  maxBytes: number,
): Promise<UploadForm> {
  if (contentType === undefined || !/^multipart\/form-data\s*;/i.test(contentType)) {
    throw badRequest('an upload must be multipart/form-data');
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      // The file name as sent: one with a directory part is refused, not silently cut to its base name.
      preservePath: true,
      limits: { fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: 8, fileSize: maxBytes },
    });
  } catch (err) {
    throw badRequest('malformed multipart content type', { cause: String(err) });
  }
  const dir = await mkdtemp(join(tmpdir(), 'depot-pypi-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const fields = new Map<string, string>();
  let file: SpooledFile | undefined;
  const pending: Promise<void>[] = [];
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
  };
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(badRequest(`form field ${name} is too long`));
    else if (!fields.has(name)) fields.set(name, value);
  });
  parser.on('fieldsLimit', () => fail(badRequest('too many form fields')));
  const streams: Readable[] = [];
  parser.on('file', (name, stream, info) => {
    streams.push(stream);
    // A part cut off by the body's end (or by the parser's destruction) errors; nobody else may be
    // listening (a resumed signature), so the failure is recorded here.
    stream.on('error', fail);
    if (name !== 'content' || file !== undefined || pending.length > 0) {
      // Signatures and attestations are not kept.
      stream.resume();
      return;
    }
    pending.push(
      spool(stream, info.filename ?? '', join(dir, randomUUID())).then((spooled) => {
        file = spooled;
      }, fail),
    );
  });
  try {
    // Fed by hand rather than through `pipeline(Readable.from(body))`: on Node 20 a body that
    // throws there (a client that goes away) can surface once more as an unhandled error.
    const parsed = finished(parser);
    parsed.catch(() => undefined);
    try {
      for await (const chunk of body) {
        if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), parsed]);
      }
      parser.end();
      await parsed;
    } catch (err) {
      fail(err);
      // The file parts end with the parser, so the spooling below never waits for bytes that will
      // not come; without an error, so a part nobody listens to raises none unhandled.
      parser.destroy();
      for (const stream of streams) stream.destroy();
    }
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
  } catch (err) {
    await cleanup();
    if (err instanceof DepotError) throw err;
    throw badRequest('malformed multipart upload', { cause: String(err) });
  }
  return { fields, file, cleanup };
}

async function spool(
  stream: NodeJS.ReadableStream & { truncated?: boolean },
  filename: string,
  path: string,
): Promise<SpooledFile> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  // Loaded on the first upload: the wasm hashers are not needed by a server without PyPI uploads.
  const { createBLAKE2b } = await import('hash-wasm');
  const blake2 = await createBLAKE2b(256);
  blake2.init();
  let size = 0;
  const out = createWriteStream(path);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    md5.update(chunk);
    blake2.update(chunk);
    size += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  if (stream.truncated === true) throw new DepotError('PAYLOAD_TOO_LARGE', 'the uploaded file is too large');
  return {
    filename,
    path,
    size,
    sha256: sha256.digest('hex'),
    md5: md5.digest('hex'),
    blake2b_256: blake2.digest('hex'),
  };
}
