import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { KvBatchOp } from '@depot/core';
import { awsError, sdkName } from './aws-errors.js';
import { checkKey, checkValue, newVersion } from './item.js';

/** DynamoDB's limits for one TransactWriteItems: 100 items and 4 MB; we stay under both. */
const MAX_ITEMS = 100;
const MAX_BYTES = 3.5 * 1024 * 1024;
/** A transaction cancelled by a concurrent one on the same items is tried this many times. */
const CONFLICT_ATTEMPTS = 8;

/**
 * Applies `ops` as TransactWriteItems. Ops on the same key collapse to the last one (DynamoDB
 * refuses two operations on one item in a transaction; the end state is the same as applying them
 * in order). The distinct keys are then sent in chunks of at most 100 items and 3.5 MB, in order:
 * each chunk is atomic, the batch as a whole is not (like the contract's "atomic per shard"); a
 * failed chunk leaves the earlier chunks applied and the later ones not.
 */
export async function applyBatch(
  doc: DynamoDBDocumentClient,
  table: string,
  partition: string,
  ops: readonly KvBatchOp[],
): Promise<void> {
  const last = new Map<string, KvBatchOp>();
  for (const op of ops) {
    checkKey(op.key);
    if (op.type === 'put') checkValue(op.key, op.value);
    last.delete(op.key);
    // Copies taken before anything is awaited: the caller may reuse its arrays at once.
    last.set(op.key, op.type === 'put' ? { type: 'put', key: op.key, value: op.value.slice() } : op);
  }
  let chunk: KvBatchOp[] = [];
  let bytes = 0;
  for (const op of last.values()) {
    const size = op.type === 'put' ? op.value.byteLength + Buffer.byteLength(op.key) + 64 : 64;
    if (chunk.length === MAX_ITEMS || (chunk.length > 0 && bytes + size > MAX_BYTES)) {
      await transact(doc, table, partition, chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(op);
    bytes += size;
  }
  if (chunk.length > 0) await transact(doc, table, partition, chunk);
}

async function transact(
  doc: DynamoDBDocumentClient,
  table: string,
  partition: string,
  ops: readonly KvBatchOp[],
): Promise<void> {
  const items = ops.map((op) =>
    op.type === 'put'
      ? { Put: { TableName: table, Item: { pk: partition, sk: op.key, v: op.value, ver: newVersion() } } }
      : { Delete: { TableName: table, Key: { pk: partition, sk: op.key } } },
  );
  for (let attempt = 1; ; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      const retryable =
        sdkName(err) === 'TransactionCanceledException' || sdkName(err) === 'TransactionConflictException';
      if (!retryable || attempt >= CONFLICT_ATTEMPTS) throw awsError(err, 'dynamodb KV store', 'write a batch');
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
    }
  }
}
