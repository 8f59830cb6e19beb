import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BlobReadResult, type ByteRange, type ByteSource, DepotError } from '@depot/core';
import { awsError, sdkName, sdkStatus } from './aws-errors.js';

const STORE = 's3 blob store';

/** True for the answers that mean "no such object". */
export const isMissing = (err: unknown): boolean =>
  sdkName(err) === 'NoSuchKey' || sdkName(err) === 'NotFound' || sdkStatus(err) === 404;

const unsatisfiable = (range: ByteRange, size: number): DepotError =>
  new DepotError('RANGE_NOT_SATISFIABLE', `range ${range.start}-${range.end} of a ${size}-byte blob`, {
    details: { size },
  });

/** The size of an object, `null` when it does not exist. */
export async function headSize(client: S3Client, bucket: string, key: string): Promise<number | null> {
  try {
    const answer = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return answer.ContentLength ?? 0;
  } catch (err) {
    if (isMissing(err)) return null;
    throw awsError(err, STORE, 'stat a blob');
  }
}

/** The whole size from `Content-Range: bytes a-b/size`. */
function sizeOfContentRange(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /\/(\d+)\s*$/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * A streamed GetObject, ranged when asked (the end clamped to the size by S3 itself). A range
 * starting at or past the end is `RANGE_NOT_SATISFIABLE` with the size in `details`.
 */
export async function readObject(
  client: S3Client,
  bucket: string,
  key: string,
  range: ByteRange | undefined,
): Promise<BlobReadResult | null> {
  if (range !== undefined && (range.start < 0 || range.end < range.start)) {
    const size = await headSize(client, bucket, key);
    if (size === null) return null;
    throw unsatisfiable(range, size);
  }
  try {
    const answer = await client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
      }),
    );
    const body = translatedBody(answer.Body as unknown as Readable);
    const size = sizeOfContentRange(answer.ContentRange) ?? answer.ContentLength ?? 0;
    if (range !== undefined && range.start >= size) {
      // Some S3 implementations answer a range on an empty object with the whole (empty) object.
      body.destroy();
      throw unsatisfiable(range, size);
    }
    return { size, body };
  } catch (err) {
    if (err instanceof DepotError) throw err;
    if (isMissing(err)) return null;
    if (sdkName(err) === 'InvalidRange' || sdkStatus(err) === 416) {
      const size = await headSize(client, bucket, key);
      if (size === null) return null;
      throw unsatisfiable(range ?? { start: 0, end: 0 }, size);
    }
    throw awsError(err, STORE, 'read a blob');
  }
}

/**
 * The response body with failures while reading it (a dropped connection, the read timeout)
 * translated like every other SDK error. `destroy` releases the connection of a body that will
 * not be read (what `discardBody` calls).
 */
function translatedBody(stream: Readable): ByteSource & { destroy(): void } {
  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (err) {
      throw awsError(err, STORE, 'read a blob body');
    } finally {
      stream.destroy();
    }
  }
  return Object.assign(read(), { destroy: () => stream.destroy() });
}
