import { type DepotError, type FormatResponse, jsonResponse } from '@depot/core';

export { jsonResponse } from '@depot/core';

/** The challenge npm clients get on 401 (npm only inspects it for `otp`/`ipaddress`). */
export const NPM_CHALLENGE = 'Bearer realm="depot", Basic realm="depot"';

/**
 * Renders any Depot error as npm's `{"error": "..."}` body, plus Depot's stable `code` (npm shows
 * `error` and ignores the rest). A `retry_after_secs` detail becomes a `Retry-After` header.
 */
export function renderNpmError(err: DepotError): FormatResponse {
  const headers: Record<string, string> = err.code === 'UNAUTHORIZED' ? { 'www-authenticate': NPM_CHALLENGE } : {};
  const retry = err.details?.retry_after_secs;
  if (typeof retry === 'number') headers['retry-after'] = String(retry);
  return jsonResponse(err.status, { error: err.message, code: err.code }, headers);
}
