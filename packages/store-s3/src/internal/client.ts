import { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@depot/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsConnectionOptions } from './options.js';

/** An S3 client for the store's options; checksums only where the API requires them (no second hash of every body). */
export function createS3Client(connection: AwsConnectionOptions, forcePathStyle: boolean, logger: Logger): S3Client {
  return new S3Client({
    region: connection.region,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
    forcePathStyle,
    maxAttempts: connection.maxRetries + 1,
    retryMode: connection.retryMode,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    logger: sdkLogger(logger),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connection.connectTimeoutMs,
      requestTimeout: connection.readTimeoutMs,
    }),
  });
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
