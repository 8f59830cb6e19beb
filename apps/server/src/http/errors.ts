import { asDepotError, DepotError, type ErrorBody, type ErrorCode, errorBody, type Logger } from '@depot/core';
import { HTTPException } from 'hono/http-exception';

export type { ErrorBody } from '@depot/core';
/** `WWW-Authenticate` for Basic-auth 401s on the admin API. */
export { BASIC_CHALLENGE } from '@depot/core';

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  416: 'RANGE_NOT_SATISFIABLE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  502: 'UPSTREAM_ERROR',
  503: 'STORAGE_UNAVAILABLE',
};

/**
 * Turns anything thrown into a {@link DepotError}: framework HTTP errors keep their status, the
 * rest goes through core's `asDepotError` (unknown errors become `INTERNAL_ERROR`, logged).
 */
export function toDepotError(err: unknown, logger: Logger): DepotError {
  if (err instanceof HTTPException && STATUS_CODES[err.status] !== undefined) {
    return new DepotError(STATUS_CODES[err.status] as ErrorCode, err.message || 'bad request');
  }
  return asDepotError(err, logger);
}

/** The status and JSON body for an error (core's one error body). */
export function renderError(err: DepotError): { status: number; body: ErrorBody } {
  return { status: err.status, body: errorBody(err) };
}
