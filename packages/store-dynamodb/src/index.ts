export type { DynamoKvStoreOptions } from './dynamodb-kv-store.js';
export { depotPlugin, dynamoKvStore } from './dynamodb-kv-store.js';
