import { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BlobPutOptions, type ByteSource, badRequest } from '@depot/core';

/** What both put paths need. */
export interface PutTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** Aborts the request(s) of this put: fired on the caller's signal, a failing source or `beforeCommit`. */
  readonly controller: AbortController;
  /** Records the first failure of the source or `beforeCommit` (the error the put rejects with). */
  fail(error: unknown): void;
}

/**
 * One streamed PutObject of exactly `size` bytes, never held in memory. S3 creates the object only
 * when the last byte of the declared length arrives, so the final chunk is held back until the
 * source has ended with exactly `size` bytes and `beforeCommit` has resolved: if either fails, the
 * request is aborted short of its length and no object appears.
 */
export async function putStreamed(
  target: PutTarget,
  body: ByteSource,
  size: number,
  options: BlobPutOptions,
): Promise<void> {
  const { signal } = target.controller;
  async function* heldBack(): AsyncGenerator<Uint8Array> {
    try {
      let pending: Uint8Array | undefined;
      let count = 0;
      for await (const chunk of body) {
        signal.throwIfAborted();
        if (chunk.byteLength === 0) continue;
        count += chunk.byteLength;
        if (count > size) throw badRequest(`the body is longer than its declared ${size} bytes`, { expected: size });
        if (pending !== undefined) yield pending;
        pending = chunk;
      }
      if (count !== size) {
        throw badRequest(`the body has ${count} bytes, ${size} were declared`, { expected: size, received: count });
      }
      await options.beforeCommit?.();
      signal.throwIfAborted();
      if (pending !== undefined) yield pending;
    } catch (err) {
      target.fail(err);
      throw err;
    }
  }
  const stream = Readable.from(heldBack(), { objectMode: false });
  // The failure is recorded by `fail` and aborts the request; the stream's own error event must not
  // go unhandled (it would take the process down).
  stream.on('error', () => undefined);
  await target.client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: stream,
      ContentLength: size,
      ContentType: 'application/octet-stream',
    }),
    { abortSignal: signal },
  );
}
