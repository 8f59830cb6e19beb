import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type ByteSource, badRequest, DepotError, isDepotError } from '@depot/core';
import busboy from 'busboy';

/** A file part written to a temporary file. */
export interface SpooledPart {
  readonly path: string;
  readonly size: number;
}

/** A multipart upload: text fields, small file parts in memory, large ones spooled; each bounded. */
export interface MultipartForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly spooled: ReadonlyMap<string, SpooledPart>;
  /** Removes the spooled files. */
  cleanup(): Promise<void>;
}

/** Per-part limits of {@link readForm}. */
export interface FormLimits {
  /** Largest file part by field name; a part whose name is missing here is refused. */
  readonly fileBytes: Readonly<Record<string, number>>;
  /** File parts written to a temporary file instead of memory (a module zip: up to 500 MiB). */
  readonly spool?: ReadonlySet<string>;
}

/**
 * Reads a `multipart/form-data` body whose parts are bounded. Parts named in `spool` go to a
 * temporary file (a module zip's central directory sits at its end, so it is read once whole);
 * the rest are held in memory. Parts may come as plain fields or as files. `BAD_REQUEST` for a
 * malformed body or an unexpected part, `PAYLOAD_TOO_LARGE` past a limit; on error no temporary
 * file is left.
 */
export async function readForm(
  contentType: string | undefined,
  body: ByteSource,
  limits: FormLimits,
): Promise<MultipartForm> {
  if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) {
    throw badRequest('expected a multipart/form-data body');
  }
  const dir = limits.spool === undefined || limits.spool.size === 0 ? null : await mkdtemp(join(tmpdir(), 'depot-go-'));
  const cleanup = async (): Promise<void> => {
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  };
  try {
    return { ...(await parseForm(contentType, body, limits, dir)), cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Destroys a spool write stream and waits until its file is closed. */
async function closeQuietly(out: WriteStream): Promise<void> {
  if (out.closed) return;
  out.destroy();
  await finished(out).catch(() => undefined);
}

async function parseForm(
  contentType: string,
  body: ByteSource,
  limits: FormLimits,
  dir: string | null,
): Promise<Omit<MultipartForm, 'cleanup'>> {
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
  const spooled = new Map<string, SpooledPart>();
  const writes: WriteStream[] = [];
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
      const out = dir !== null && limits.spool?.has(name) === true ? createWriteStream(join(dir, name)) : null;
      if (out !== null) {
        writes.push(out);
        out.on('error', fail);
      }
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > max) {
          stream.resume();
          fail(new DepotError('PAYLOAD_TOO_LARGE', `multipart part ${name} is larger than ${max} bytes`));
          return;
        }
        if (out === null) chunks.push(chunk);
        else if (!out.write(chunk)) {
          stream.pause();
          out.once('drain', () => stream.resume());
        }
      });
      stream.on('end', () => {
        const done = (): void => {
          pending--;
          if (stream.truncated) fail(new DepotError('PAYLOAD_TOO_LARGE', `multipart part ${name} is too large`));
          else if (out === null) files.set(name, new Uint8Array(Buffer.concat(chunks)));
          else spooled.set(name, { path: out.path as string, size });
          settle();
        };
        if (out === null) done();
        else out.end(() => done());
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
  }).catch(async (err: unknown) => {
    // Every spool file is closed before the caller removes the directory.
    await Promise.all(writes.map(closeQuietly));
    throw err;
  });
  return { fields, files, spooled };
}
