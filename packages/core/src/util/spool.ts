import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../blob/blob-store.js';
import { DepotError } from '../errors/depot-error.js';

/** A request body written to a temp file; `remove` deletes it (and its directory). */
export interface SpooledFile {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * Writes `body` to a file in a fresh temp directory (named after `prefix`), for formats that must
 * read a package's headers before storing it. More than `limit` bytes is `PAYLOAD_TOO_LARGE` and
 * leaves nothing behind.
 */
export async function spoolToFile(body: ByteSource, limit: number, prefix: string): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), `depot-${prefix}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'upload');
  let seen = 0;
  try {
    await pipeline(
      (async function* () {
        for await (const chunk of body) {
          seen += chunk.byteLength;
          if (seen > limit) throw new DepotError('PAYLOAD_TOO_LARGE', `the package is larger than ${limit} bytes`);
          yield chunk;
        }
      })(),
      createWriteStream(path),
    );
  } catch (err) {
    await remove();
    throw err;
  }
  return { path, remove };
}

/** The SHA-256 (hex) of a file's bytes, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
