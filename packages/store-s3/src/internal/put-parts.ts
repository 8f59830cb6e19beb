import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type BlobPutOptions, type ByteSource, DepotError, type Logger } from '@depot/core';
import { partsOf } from './parts.js';
import type { PutTarget } from './put-stream.js';

/** S3 allows at most this many parts in one upload. */
const MAX_PARTS = 10_000;

/** How {@link putInParts} cuts and sends. */
export interface PartPlan {
  readonly partSize: number;
  readonly concurrency: number;
  readonly logger: Logger;
}

/**
 * A put of unknown length. The body is cut into parts of `partSize`; when it ends within the first
 * part it goes up as one PutObject after `beforeCommit`, else as a multipart upload with at most
 * `concurrency` parts in flight (memory: `(concurrency + 1) × partSize`). The upload is completed
 * only after `beforeCommit`, and aborted on any failure or abort, so no parts are left behind.
 */
export async function putInParts(
  target: PutTarget,
  body: ByteSource,
  options: BlobPutOptions,
  plan: PartPlan,
): Promise<void> {
  const { signal } = target.controller;
  const parts = partsOf(body, plan.partSize, signal)[Symbol.asyncIterator]();
  const next = async (): Promise<IteratorResult<Buffer>> => {
    try {
      return await parts.next();
    } catch (err) {
      target.fail(err);
      throw err;
    }
  };
  const first = await next();
  const second = first.done === true ? first : await next();
  if (second.done === true) {
    const bytes = first.done === true ? Buffer.alloc(0) : first.value;
    await runBeforeCommit(target, options);
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: 'application/octet-stream',
      }),
      { abortSignal: signal },
    );
    return;
  }
  await multipart(target, [first.value as Buffer, second.value], next, options, plan);
}

async function runBeforeCommit(target: PutTarget, options: BlobPutOptions): Promise<void> {
  try {
    await options.beforeCommit?.();
    target.controller.signal.throwIfAborted();
  } catch (err) {
    target.fail(err);
    throw err;
  }
}

async function multipart(
  target: PutTarget,
  firstParts: readonly Buffer[],
  next: () => Promise<IteratorResult<Buffer>>,
  options: BlobPutOptions,
  plan: PartPlan,
): Promise<void> {
  const { client, bucket, key, controller } = target;
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: 'application/octet-stream' }),
    { abortSignal: controller.signal },
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new DepotError('STORAGE_ERROR', 's3 blob store: no UploadId in the answer');
  const done: { PartNumber: number; ETag: string | undefined }[] = [];
  const inflight = new Set<Promise<void>>();
  let partError: { error: unknown } | undefined;
  let partNumber = 0;
  const upload = (bytes: Buffer): void => {
    partNumber++;
    if (partNumber > MAX_PARTS) {
      throw new DepotError(
        'PAYLOAD_TOO_LARGE',
        `s3 blob store: more than ${MAX_PARTS} parts of ${plan.partSize} bytes`,
      );
    }
    const n = partNumber;
    const sent: Promise<void> = client
      .send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: n,
          Body: bytes,
          ContentLength: bytes.byteLength,
        }),
        { abortSignal: controller.signal },
      )
      .then((answer) => {
        done.push({ PartNumber: n, ETag: answer.ETag });
      })
      .catch((error: unknown) => {
        partError ??= { error };
        controller.abort(error);
      })
      .finally(() => inflight.delete(sent));
    inflight.add(sent);
  };
  const settle = async (): Promise<void> => {
    await Promise.all([...inflight]);
    if (partError !== undefined) throw partError.error;
  };
  try {
    for (const part of firstParts) upload(part);
    for (;;) {
      while (inflight.size >= plan.concurrency) await Promise.race([...inflight]);
      if (partError !== undefined) throw partError.error;
      const part = await next();
      if (part.done === true) break;
      upload(part.value);
    }
    await settle();
    await runBeforeCommit(target, options);
    done.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
      { abortSignal: controller.signal },
    );
  } catch (err) {
    if (!controller.signal.aborted) controller.abort(err);
    await Promise.allSettled([...inflight]);
    // A fresh request (the put's own signal is aborted): S3 drops every uploaded part.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch((abortErr: unknown) =>
        plan.logger.warn(
          { bucket, key, uploadId, error: String(abortErr) },
          'could not abort a failed multipart upload; a bucket lifecycle rule for incomplete uploads removes it',
        ),
      );
    throw err;
  }
}
