import { DepotError } from '@depot/core';

/** What an AWS SDK v3 service error carries. */
interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'InternalError',
  'InternalServerError',
  'TransactionCanceledException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
]);

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
]);

/** The HTTP status of an SDK error, when it got an answer. */
export function sdkStatus(err: unknown): number | undefined {
  return (err as SdkErrorShape | null)?.$metadata?.httpStatusCode;
}

/** The SDK error's name (`NoSuchKey`, `ConditionalCheckFailedException`, …). */
export function sdkName(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  return (err as SdkErrorShape).name;
}

/**
 * True when the failure is the service being unavailable for now: throttling, a 5xx, a timeout or
 * a connection that could not be made or was dropped.
 */
export function isUnavailable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const status = sdkStatus(err);
  if (status !== undefined && status >= 500) return true;
  if (status === 429 || status === 503) return true;
  const { name, code } = err as SdkErrorShape;
  return (
    (name !== undefined && (THROTTLING.has(name) || NETWORK.has(name))) || (code !== undefined && NETWORK.has(code))
  );
}

/**
 * Translates an SDK error at the store boundary: throttling, 5xx and network failures become
 * `STORAGE_UNAVAILABLE` (503, retry later), anything else `STORAGE_ERROR`; the SDK error is kept as
 * the cause and its name and status in `details`. DepotErrors pass through.
 */
export function awsError(err: unknown, store: string, what: string): DepotError {
  if (err instanceof DepotError) return err;
  const name = sdkName(err) ?? null;
  const status = sdkStatus(err) ?? null;
  return new DepotError(isUnavailable(err) ? 'STORAGE_UNAVAILABLE' : 'STORAGE_ERROR', `${store} failed to ${what}`, {
    cause: err,
    details: { awsError: name, httpStatus: status },
  });
}
