import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  conflict,
  DepotError,
  type KvStore,
  type KvStorePluginManifest,
  type Logger,
  noopLogger,
  type StoreContext,
} from '@depot/core';
import { awsError, sdkName } from './internal/aws-errors.js';
import { applyBatch } from './internal/batch.js';
import { createDynamoClients } from './internal/client.js';
import { resolveDynamoOptions } from './internal/ddb-options.js';
import { checkKey, checkValue, itemBytes, newVersion, type StoredItem } from './internal/item.js';
import { listPage } from './internal/list.js';
import { ensureTable } from './internal/table.js';

const STORE = 'dynamodb KV store';

/**
 * Options of {@link dynamoKvStore}: the keys of `[kv_store]` with `type = "dynamodb"` (see the
 * package README): `table` or `table_prefix` (table `{prefix}_kv`), `partition`, `create_table`,
 * `consistent_reads`, `endpoint`, `region`, `access_key_id` + `secret_access_key` (+
 * `session_token`) or the SDK's default chain, `max_retries`, `connect_timeout_secs`,
 * `read_timeout_secs`, `retry_mode`.
 */
export type DynamoKvStoreOptions = Readonly<Record<string, unknown>>;

const isConditionFailure = (err: unknown): boolean => sdkName(err) === 'ConditionalCheckFailedException';

/**
 * The DynamoDB metadata store: one table, every key an item `{pk: partition, sk: key, v: bytes,
 * ver: version}` in a single partition, so listing any prefix or range is one ordered Query.
 * Conditional writes give exact compare-and-swap (a lost race is `CONFLICT`); `batch` is
 * TransactWriteItems in chunks of 100; `getVersioned` always reads strongly consistently, `get`
 * and `list` do unless `consistent_reads = false`. Throttling is retried by the SDK with backoff,
 * then `STORAGE_UNAVAILABLE`.
 */
export async function dynamoKvStore(
  options: DynamoKvStoreOptions,
  context: Partial<StoreContext> = {},
): Promise<KvStore> {
  const resolved = resolveDynamoOptions(options);
  const logger: Logger = context.logger ?? noopLogger;
  const { base, doc } = createDynamoClients(resolved.connection, logger);
  try {
    await ensureTable(base, resolved.table, resolved.createTable);
  } catch (err) {
    base.destroy();
    throw err;
  }
  const { table, partition, consistentReads } = resolved;
  logger.info({ table, partition, consistentReads }, 'dynamodb KV store opened');
  let closed = false;
  const call = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    if (closed) throw new DepotError('STORAGE_UNAVAILABLE', `${STORE} is closed`);
    try {
      return await op();
    } catch (err) {
      throw awsError(err, STORE, what);
    }
  };
  const read = async (key: string, consistent: boolean): Promise<StoredItem | undefined> => {
    checkKey(key);
    const answer = await call('read a key', () =>
      doc.send(new GetCommand({ TableName: table, Key: { pk: partition, sk: key }, ConsistentRead: consistent })),
    );
    return answer.Item as StoredItem | undefined;
  };
  const write = async (key: string, value: Uint8Array, condition?: { expected: string | null }): Promise<string> => {
    checkKey(key);
    checkValue(key, value);
    // Our own copy, taken before anything is awaited: the caller may reuse its array at once.
    const bytes = value.slice();
    const ver = newVersion();
    const conditional =
      condition === undefined
        ? {}
        : condition.expected === null
          ? {
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': 'pk' } as Record<string, string>,
            }
          : {
              ConditionExpression: '#ver = :expected',
              ExpressionAttributeNames: { '#ver': 'ver' },
              ExpressionAttributeValues: { ':expected': condition.expected },
            };
    try {
      await call('write a key', () =>
        doc.send(new PutCommand({ TableName: table, Item: { pk: partition, sk: key, v: bytes, ver }, ...conditional })),
      );
    } catch (err) {
      if (err instanceof DepotError && isConditionFailure(err.cause)) {
        throw conflict(`${key}: the version changed (expected ${condition?.expected ?? 'absent'})`);
      }
      throw err;
    }
    return ver;
  };

  return {
    capabilities: { stronglyConsistentReads: consistentReads, singleNode: false },
    async get(key) {
      const item = await read(key, consistentReads);
      return item === undefined ? null : itemBytes(item);
    },
    async getVersioned(key) {
      const item = await read(key, true);
      return item === undefined ? null : { value: itemBytes(item), version: item.ver };
    },
    put: (key, value) => write(key, value),
    putIfVersion: (key, value, expected) => write(key, value, { expected }),
    async delete(key) {
      checkKey(key);
      // Conditional on existence: of concurrent deletes exactly one succeeds and reports true.
      try {
        await call('delete a key', () =>
          doc.send(
            new DeleteCommand({
              TableName: table,
              Key: { pk: partition, sk: key },
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: { '#pk': 'pk' },
            }),
          ),
        );
        return true;
      } catch (err) {
        if (err instanceof DepotError && isConditionFailure(err.cause)) return false;
        throw err;
      }
    },
    async deleteIfVersion(key, expected) {
      checkKey(key);
      try {
        await call('delete a key', () =>
          doc.send(
            new DeleteCommand({
              TableName: table,
              Key: { pk: partition, sk: key },
              ConditionExpression: '#ver = :expected',
              ExpressionAttributeNames: { '#ver': 'ver' },
              ExpressionAttributeValues: { ':expected': expected },
            }),
          ),
        );
      } catch (err) {
        if (err instanceof DepotError && isConditionFailure(err.cause)) {
          throw conflict(`${key}: the version changed (expected ${expected})`);
        }
        throw err;
      }
    },
    list: (listOptions = {}) => call('list keys', () => listPage(doc, table, partition, listOptions, consistentReads)),
    batch: (ops) => call('write a batch', () => applyBatch(doc, table, partition, ops)),
    async close() {
      if (closed) return;
      closed = true;
      base.destroy();
    },
  };
}

/** The plugin manifest: `[kv_store] type = "dynamodb"`. */
export const depotPlugin: KvStorePluginManifest = {
  kind: 'kv-store',
  storeType: 'dynamodb',
  apiVersion: 1,
  open: (options, context) => dynamoKvStore(options, context),
};
