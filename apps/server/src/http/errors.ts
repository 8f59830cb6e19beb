import { DepotError, type ErrorCode, type Logger } from '@depot/core';
import { HTTPException } from 'hono/http-exception';

/** The JSON error shape of every non-protocol endpoint (api.md "Errors"). */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** `WWW-Authenticate` for Basic-auth 401s on the admin API. */
export const BASIC_CHALLENGE = 'Basic realm="Depot"';

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  416: 'RANGE_NOT_SATISFIABLE',
  429: 'RATE_LIMITED',
  502: 'UPSTREAM_ERROR',
  503: 'STORAGE_UNAVAILABLE',
};

/**
 * Turns anything thrown into a {@link DepotError}. Framework HTTP errors keep their status; any
 * other error becomes `INTERNAL_ERROR`, logged with its stack and never shown to the client.
 */
export function toDepotError(err: unknown, logger: Logger): DepotError {
  if (err instanceof DepotError) {
    if (err.status >= 500) logger.error({ err, code: err.code }, 'request failed');
    return err;
  }
  if (err instanceof HTTPException && STATUS_CODES[err.status] !== undefined) {
    return new DepotError(STATUS_CODES[err.status] as ErrorCode, err.message || 'bad request');
  }
  logger.error({ err }, 'unhandled error');
  return new DepotError('INTERNAL_ERROR', 'internal server error');
}

/**
 * The `Retry-After` seconds of an error (`details.retry_after_secs`, set on `RATE_LIMITED`), as a
 * header value, or `undefined`.
 */
export function retryAfter(err: DepotError): string | undefined {
  const secs = err.details?.retry_after_secs;
  return typeof secs === 'number' && Number.isFinite(secs) && secs >= 0 ? String(Math.ceil(secs)) : undefined;
}

/** The status and JSON body for an error. */
export function renderError(err: DepotError): { status: number; body: ErrorBody } {
  return { status: err.status, body: { error: { code: err.code, message: err.message } } };
}
