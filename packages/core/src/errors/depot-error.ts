/**
 * The closed set of error codes Depot uses everywhere. Stores translate backend errors into these
 * at their boundary; the server renders them once (through a format's own renderer when it has one).
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'RANGE_NOT_SATISFIABLE'
  | 'DIGEST_MISMATCH'
  | 'UPSTREAM_ERROR'
  | 'DATA_INTEGRITY_ERROR'
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_ERROR'
  | 'RATE_LIMITED'
  | 'URI_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'INTERNAL_ERROR';

/** HTTP status for each code: the single table the server uses to render errors. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  DIGEST_MISMATCH: 400,
  UPSTREAM_ERROR: 502,
  DATA_INTEGRITY_ERROR: 500,
  STORAGE_UNAVAILABLE: 503,
  STORAGE_ERROR: 500,
  RATE_LIMITED: 429,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
};

/** Options for {@link DepotError}: an optional cause and structured details for renderers. */
export interface DepotErrorOptions {
  readonly cause?: unknown;
  /** Protocol-specific detail a format renderer may show (e.g. an OCI error code). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The one error class of Depot. Tests assert on `code`, never on message text. */
export class DepotError extends Error {
  override readonly name = 'DepotError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: DepotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status this error renders as. */
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** True when `err` is a {@link DepotError}, optionally of one code. */
export function isDepotError(err: unknown, code?: ErrorCode): err is DepotError {
  return err instanceof DepotError && (code === undefined || err.code === code);
}

/** Shorthands for the common cases. */
export const notFound = (message: string, details?: Record<string, unknown>): DepotError =>
  new DepotError('NOT_FOUND', message, details ? { details } : {});
export const badRequest = (message: string, details?: Record<string, unknown>): DepotError =>
  new DepotError('BAD_REQUEST', message, details ? { details } : {});
export const conflict = (message: string): DepotError => new DepotError('CONFLICT', message);
export const notAllowed = (message: string): DepotError => new DepotError('NOT_ALLOWED', message);
