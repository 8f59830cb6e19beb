import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type BlobListEntry, type BlobListPage, badRequest } from '@depot/core';
import { idOfKey } from './layout.js';

/**
 * One page of blobs in key order. The cursor is the last object key seen (relative to the
 * prefix), passed back as `StartAfter`: a page never repeats a key and keys that stay put are never
 * skipped, whatever is added or deleted between pages. Objects that are not well-placed blobs are
 * passed over.
 */
export async function listPage(
  client: S3Client,
  bucket: string,
  prefix: string,
  cursor: string | undefined,
  limit: number,
): Promise<BlobListPage> {
  if (cursor !== undefined && !cursor.startsWith('blobs/')) {
    throw badRequest('s3 blob store: not a cursor of this store', { cursor });
  }
  const answer = await client.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: `${prefix}blobs/`,
      MaxKeys: Math.min(limit, 1000),
      ...(cursor === undefined ? {} : { StartAfter: `${prefix}${cursor}` }),
    }),
  );
  const entries: BlobListEntry[] = [];
  let last: string | undefined;
  for (const object of answer.Contents ?? []) {
    if (object.Key === undefined) continue;
    last = object.Key;
    const id = idOfKey(prefix, object.Key);
    if (id === null) continue;
    entries.push({ id, size: object.Size ?? 0, modifiedAt: object.LastModified?.getTime() ?? 0 });
  }
  const more = answer.IsTruncated === true && last !== undefined;
  return { entries, cursor: more && last !== undefined ? last.slice(prefix.length) : null };
}
