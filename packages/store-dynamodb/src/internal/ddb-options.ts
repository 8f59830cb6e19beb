import { badRequest } from '@depot/core';
import {
  AWS_CONNECTION_KEYS,
  type AwsConnectionOptions,
  assertKnownOptions,
  awsConnectionOptions,
  booleanOption,
  stringOption,
} from './options.js';

const PLUGIN = 'dynamodb KV store';
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** The keys of `[kv_store]` with `type = "dynamodb"`. */
export const DYNAMODB_OPTION_KEYS = [
  'table',
  'table_prefix',
  'partition',
  'create_table',
  'consistent_reads',
  ...AWS_CONNECTION_KEYS,
] as const;

/** Validated options of the DynamoDB KV store. */
export interface ResolvedDynamoOptions {
  readonly table: string;
  /** The partition key value every item of this store carries. */
  readonly partition: string;
  readonly createTable: boolean;
  readonly consistentReads: boolean;
  readonly connection: AwsConnectionOptions;
}

/** Validates the options: unknown keys and bad values are `BAD_REQUEST` naming the key. */
export function resolveDynamoOptions(options: Readonly<Record<string, unknown>>): ResolvedDynamoOptions {
  assertKnownOptions(options, DYNAMODB_OPTION_KEYS, PLUGIN);
  const table = stringOption(options, 'table', PLUGIN);
  const prefix = stringOption(options, 'table_prefix', PLUGIN);
  if (table !== undefined && prefix !== undefined) {
    throw badRequest(`${PLUGIN}: give "table" or "table_prefix", not both`, { option: 'table_prefix' });
  }
  if (table === undefined && prefix === undefined) {
    throw badRequest(`${PLUGIN}: option "table" (or "table_prefix") is required`, { option: 'table' });
  }
  const name = table ?? `${prefix}_kv`;
  if (!TABLE_NAME.test(name)) {
    const option = table === undefined ? 'table_prefix' : 'table';
    throw badRequest(`${PLUGIN}: "${name}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`, { option });
  }
  return {
    table: name,
    partition: stringOption(options, 'partition', PLUGIN) ?? 'depot',
    createTable: booleanOption(options, 'create_table', PLUGIN) ?? false,
    consistentReads: booleanOption(options, 'consistent_reads', PLUGIN) ?? true,
    connection: awsConnectionOptions(options, PLUGIN, { readTimeoutSecs: 10 }),
  };
}
