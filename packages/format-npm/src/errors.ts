import type { DepotError, FormatResponse } from '@depot/core';

/** The challenge npm clients get on 401 (npm only inspects it for `otp`/`ipaddress`). */
export const NPM_CHALLENGE = 'Bearer realm="depot", Basic realm="depot"';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;

/** A JSON response in the registry's style. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): FormatResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

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
