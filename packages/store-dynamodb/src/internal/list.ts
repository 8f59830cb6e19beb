import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { badRequest, compareUtf8, type KvEntry, type KvListOptions, type KvPage } from '@depot/core';
import { entryOf, type StoredItem } from './item.js';

/** Where a listing starts: the greatest of prefix, start and (exclusively) the cursor. */
function lowerBound(options: KvListOptions): { key: string; exclusive: boolean } | undefined {
  let bound: { key: string; exclusive: boolean } | undefined;
  const raise = (key: string | undefined, exclusive: boolean): void => {
    if (key === undefined || key === '') return;
    const order = bound === undefined ? 1 : compareUtf8(key, bound.key);
    if (order > 0 || (order === 0 && exclusive)) bound = { key, exclusive };
  };
  raise(options.prefix, false);
  raise(options.start, false);
  raise(options.cursor, true);
  return bound;
}

/** True while `key` is inside the listing (keys arrive in ascending order, so the first miss ends it). */
function inRange(key: string, options: KvListOptions): boolean {
  if (options.prefix !== undefined && !key.startsWith(options.prefix)) return false;
  return options.end === undefined || compareUtf8(key, options.end) < 0;
}

/**
 * One page of keys in ascending UTF-8 byte order (DynamoDB orders string sort keys by their UTF-8
 * bytes). A Query on the store's partition from the lower bound (`sk >= bound`, or `sk > cursor`)
 * reads at most `limit + 1` items: the entries, plus one to learn whether more follow. The cursor
 * is the last key returned, so a page never repeats a key and never skips one that stays, whatever
 * is written between pages.
 */
export async function listPage(
  doc: DynamoDBDocumentClient,
  table: string,
  partition: string,
  options: KvListOptions,
  consistent: boolean,
): Promise<KvPage> {
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw badRequest(`list limit must be a positive integer, got ${limit}`);
  if (options.cursor === '') throw badRequest('dynamodb KV store: an empty cursor');
  const entries: KvEntry[] = [];
  let from = lowerBound(options);
  for (;;) {
    const answer = await doc.send(
      new QueryCommand({
        TableName: table,
        ConsistentRead: consistent,
        KeyConditionExpression:
          from === undefined ? '#pk = :pk' : `#pk = :pk AND #sk ${from.exclusive ? '>' : '>='} :from`,
        ExpressionAttributeNames: { '#pk': 'pk', ...(from === undefined ? {} : { '#sk': 'sk' }) },
        ExpressionAttributeValues: { ':pk': partition, ...(from === undefined ? {} : { ':from': from.key }) },
        Limit: limit - entries.length + 1,
      }),
    );
    for (const item of (answer.Items ?? []) as StoredItem[]) {
      if (!inRange(item.sk, options)) return { entries, cursor: null };
      if (entries.length === limit) return { entries, cursor: entries[entries.length - 1]?.key ?? null };
      entries.push(entryOf(item));
    }
    const last = answer.LastEvaluatedKey?.sk;
    if (typeof last !== 'string') return { entries, cursor: null };
    from = { key: last, exclusive: true };
  }
}
