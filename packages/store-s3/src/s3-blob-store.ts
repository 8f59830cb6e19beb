import { CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type BlobPutOptions,
  type BlobStore,
  type BlobStorePluginManifest,
  type ByteSource,
  badRequest,
  healthRoundTrip,
  type Logger,
  noopLogger,
  type StoreContext,
} from '@depot/core';
import { awsError, sdkName } from './internal/aws-errors.js';
import { createS3Client } from './internal/client.js';
import { blobKey, isBlobId, newBlobId } from './internal/layout.js';
import { listPage } from './internal/list.js';
import { putInParts } from './internal/put-parts.js';
import { type PutTarget, putStreamed } from './internal/put-stream.js';
import { headSize, readObject } from './internal/read.js';
import { type ResolvedS3Options, resolveS3Options } from './internal/s3-options.js';

const STORE = 's3 blob store';
/** The largest object a single PutObject may create. */
const MAX_SINGLE_PUT = 5 * 1024 * 1024 * 1024;

/**
 * Options of {@link s3BlobStore}: the keys of an `s3` store record's `options` (see the package
 * README): `bucket` (required), `prefix`, `endpoint`, `region`, `access_key_id` +
 * `secret_access_key` (+ `session_token`) or the SDK's default credential chain,
 * `force_path_style`, `max_retries`, `connect_timeout_secs`, `read_timeout_secs`, `retry_mode`,
 * `part_size_mib`, `upload_concurrency`, `create_bucket`.
 */
export type S3BlobStoreOptions = Readonly<Record<string, unknown>>;

/**
 * The S3 blob store: objects at `{prefix}blobs/{id[0:2]}/{id[2:4]}/{id}` with random ids. A put of
 * known length (≤ 5 GiB) streams as one PutObject whose last chunk waits for `beforeCommit`; any
 * other put goes up in parts (one PutObject when it turns out to fit in one part, else a
 * multipart upload completed after `beforeCommit` and aborted on failure). SDK errors never escape:
 * misses are `null`, throttling/5xx/network failures `STORAGE_UNAVAILABLE`, the rest `STORAGE_ERROR`.
 */
export async function s3BlobStore(
  options: S3BlobStoreOptions,
  context: Partial<StoreContext> = {},
): Promise<BlobStore> {
  const resolved = resolveS3Options(options);
  const logger: Logger = context.logger ?? noopLogger;
  const client = createS3Client(resolved.connection, resolved.forcePathStyle, logger);
  try {
    await ensureBucket(client, resolved);
  } catch (err) {
    client.destroy();
    throw err;
  }
  return makeStore(client, resolved, logger);
}

async function ensureBucket(client: S3Client, resolved: ResolvedS3Options): Promise<void> {
  if (!resolved.createBucket) return;
  try {
    await client.send(new HeadBucketCommand({ Bucket: resolved.bucket }));
  } catch (err) {
    if (sdkName(err) !== 'NotFound' && sdkName(err) !== 'NoSuchBucket') throw awsError(err, STORE, 'check the bucket');
    try {
      await client.send(new CreateBucketCommand({ Bucket: resolved.bucket }));
    } catch (createErr) {
      const name = sdkName(createErr);
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') {
        throw awsError(createErr, STORE, 'create the bucket');
      }
    }
  }
}

function makeStore(client: S3Client, resolved: ResolvedS3Options, logger: Logger): BlobStore {
  const { bucket, prefix } = resolved;
  const keyOf = (id: string): string => blobKey(prefix, id);

  async function put(body: ByteSource, putOptions: BlobPutOptions = {}) {
    const id = newBlobId();
    const controller = new AbortController();
    let failure: { error: unknown } | undefined;
    const target: PutTarget = {
      client,
      bucket,
      key: keyOf(id),
      controller,
      fail(error) {
        failure ??= { error };
        if (!controller.signal.aborted) controller.abort(error);
      },
    };
    const outer = putOptions.signal;
    const onAbort = (): void => target.fail(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    let size = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      outer?.throwIfAborted();
      for await (const chunk of body) {
        size += chunk.byteLength;
        yield chunk;
      }
    }
    try {
      const hint = putOptions.sizeHint;
      const known =
        hint !== undefined && Number.isSafeInteger(hint) && hint > resolved.partSize && hint <= MAX_SINGLE_PUT;
      if (known) await putStreamed(target, counted(), hint, putOptions);
      else await putInParts(target, counted(), putOptions, { ...resolved, logger });
      return { id, size };
    } catch (err) {
      if (failure !== undefined) throw failure.error;
      throw awsError(err, STORE, 'write a blob');
    } finally {
      outer?.removeEventListener('abort', onAbort);
    }
  }

  const store: BlobStore = {
    put,
    async get(id, getOptions = {}) {
      if (!isBlobId(id)) return null;
      return readObject(client, bucket, keyOf(id), getOptions.range);
    },
    async head(id) {
      if (!isBlobId(id)) return null;
      const size = await headSize(client, bucket, keyOf(id));
      return size === null ? null : { size };
    },
    async delete(id) {
      if (!isBlobId(id)) return false;
      // S3 deletes are idempotent and say nothing of existence: ask first.
      if ((await headSize(client, bucket, keyOf(id))) === null) return false;
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(id) }));
        return true;
      } catch (err) {
        throw awsError(err, STORE, 'delete a blob');
      }
    },
    async list(listOptions = {}) {
      const limit = listOptions.limit ?? 1000;
      if (!Number.isInteger(limit) || limit < 1)
        throw badRequest(`list limit must be a positive integer, got ${limit}`);
      try {
        return await listPage(client, bucket, prefix, listOptions.cursor, limit);
      } catch (err) {
        throw awsError(err, STORE, 'list blobs');
      }
    },
    async stats() {
      let blobCount = 0;
      let totalBytes = 0;
      let cursor: string | undefined;
      for (;;) {
        const page = await store.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
        for (const entry of page.entries) {
          blobCount++;
          totalBytes += entry.size;
        }
        if (page.cursor === null) return { blobCount, totalBytes };
        cursor = page.cursor;
      }
    },
    healthCheck: () => healthRoundTrip(store),
    async close() {
      client.destroy();
    },
  };
  return store;
}

/** The plugin manifest: store records with `store_type = "s3"`. */
export const depotPlugin: BlobStorePluginManifest = {
  kind: 'blob-store',
  storeType: 's3',
  apiVersion: 1,
  create: (options, context) => s3BlobStore(options, context),
};
