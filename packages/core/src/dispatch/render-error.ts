import { DepotError } from '../errors/depot-error.js';
import type { BaseFormatRequest, FormatResponse, FormatRuntime } from '../format/format.js';
import type { Logger } from '../logger.js';

/** `WWW-Authenticate` of a 401 when the format has no challenge of its own. */
export const BASIC_CHALLENGE = 'Basic realm="Depot"';

/** The JSON error body of every surface without a protocol shape of its own. */
export interface ErrorBody {
  readonly error: { readonly code: DepotError['code']; readonly message: string };
}

/** `{"error":{"code","message"}}` for `err`. */
export function errorBody(err: DepotError): ErrorBody {
  return { error: { code: err.code, message: err.message } };
}

/** The default rendering: the error's status and {@link errorBody} as JSON. */
export function jsonErrorResponse(err: DepotError): FormatResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(errorBody(err)),
  };
}

/**
 * Anything thrown as a {@link DepotError}. A DepotError of status ≥ 500 is logged; any other value
 * becomes `INTERNAL_ERROR`, logged with its stack and never shown to the client.
 */
export function asDepotError(err: unknown, logger: Logger): DepotError {
  if (err instanceof DepotError) {
    if (err.status >= 500) logger.error({ err, code: err.code }, 'request failed');
    return err;
  }
  logger.error({ err }, 'unhandled error');
  return new DepotError('INTERNAL_ERROR', 'internal server error', { cause: err });
}

const hasHeader = (response: FormatResponse, name: string): boolean =>
  Object.keys(response.headers ?? {}).some((h) => h.toLowerCase() === name);

/**
 * The `Retry-After` value of an error (`details.retry_after_secs`, whole seconds), or `undefined`.
 */
export function retryAfterSecs(err: DepotError): string | undefined {
  const secs = err.details?.retry_after_secs;
  return typeof secs === 'number' && Number.isFinite(secs) && secs >= 0 ? String(Math.ceil(secs)) : undefined;
}

/**
 * The one error renderer: through the format's `renderError` when there is a format and it has one
 * (falling back to JSON if that renderer throws), else {@link jsonErrorResponse}. A 401 always
 * carries a `WWW-Authenticate` challenge: the renderer's own, else the format's `challenge()`, else
 * {@link BASIC_CHALLENGE}. An error with `details.retry_after_secs` (`RATE_LIMITED`) carries
 * `Retry-After`.
 */
export function renderError(
  err: DepotError,
  runtime: FormatRuntime | undefined,
  req: BaseFormatRequest | undefined,
  logger: Logger,
): FormatResponse {
  let response: FormatResponse;
  try {
    response = runtime?.renderError && req ? runtime.renderError(err, req) : jsonErrorResponse(err);
  } catch (failure) {
    logger.error({ err: failure }, 'format error renderer failed');
    response = jsonErrorResponse(err);
  }
  const wait = retryAfterSecs(err);
  if (wait !== undefined && !hasHeader(response, 'retry-after')) {
    response = { ...response, headers: { ...response.headers, 'retry-after': wait } };
  }
  if (err.code !== 'UNAUTHORIZED' && response.status !== 401) return response;
  const headers = response.headers ?? {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'www-authenticate')) return response;
  let challenge = BASIC_CHALLENGE;
  try {
    challenge = (runtime?.challenge && req ? runtime.challenge(req) : undefined) ?? BASIC_CHALLENGE;
  } catch (failure) {
    logger.error({ err: failure }, 'format challenge failed');
  }
  return { ...response, headers: { ...headers, 'www-authenticate': challenge } };
}
