import type { DepotError, FormatResponse } from '@depot/core';

/** The challenge the go command answers with credentials from `.netrc` (Basic). */
export const GO_CHALLENGE = 'Basic realm="depot"';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;

/** A JSON response. */
export function jsonResponse(status: number, value: unknown): FormatResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(value) };
}

/** Errors as `{"error": "...", "code": "..."}`; the go command prints the body of a failed request. */
export function renderGoError(err: DepotError): FormatResponse {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (err.code === 'UNAUTHORIZED') headers['www-authenticate'] = GO_CHALLENGE;
  return { status: err.status, headers, body: JSON.stringify({ error: err.message, code: err.code }) };
}
