import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@depot/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsConnectionOptions } from './options.js';

/** A DynamoDB client (and its document client) for the store's options. */
export function createDynamoClients(
  connection: AwsConnectionOptions,
  logger: Logger,
): { base: DynamoDBClient; doc: DynamoDBDocumentClient } {
  const base = new DynamoDBClient({
    region: connection.region,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
    maxAttempts: connection.maxRetries + 1,
    retryMode: connection.retryMode,
    logger: sdkLogger(logger),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connection.connectTimeoutMs,
      requestTimeout: connection.readTimeoutMs,
    }),
  });
  const doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  return { base, doc };
}

/** The SDK's log lines (retries, streaming warnings) at debug level in Depot's logger, never on the console. */
export function sdkLogger(logger: Logger): {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
} {
  const log = (...content: unknown[]): void => logger.debug({ sdk: content.map(String).join(' ') }, 'aws sdk');
  return { debug: () => undefined, info: () => undefined, warn: log, error: log };
}
