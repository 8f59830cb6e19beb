import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { awsError, sdkName } from './aws-errors.js';

const STORE = 'dynamodb KV store';

/**
 * Checks that `table` exists; with `create` it is created when missing (on-demand billing, `pk`
 * string hash key + `sk` string range key) and waited for. Another process creating it at the
 * same time is fine.
 */
export async function ensureTable(client: DynamoDBClient, table: string, create: boolean): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (err) {
    if (sdkName(err) !== 'ResourceNotFoundException') throw awsError(err, STORE, `describe table ${table}`);
    if (!create) {
      throw awsError(err, STORE, `find table ${table} (set create_table = true to create it)`);
    }
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (err) {
    if (sdkName(err) !== 'ResourceInUseException') throw awsError(err, STORE, `create table ${table}`);
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: table });
  } catch (err) {
    throw awsError(err, STORE, `wait for table ${table}`);
  }
}
