import { type DepotError, type FormatResponse, jsonResponse } from '@depot/core';

export { jsonResponse } from '@depot/core';

/** The challenge the go command answers with credentials from `.netrc` (Basic). */
export const GO_CHALLENGE = 'Basic realm="depot"';

/** Errors as `{"error": "...", "code": "..."}`; the go command prints the body of a failed request. */
export function renderGoError(err: DepotError): FormatResponse {
  const challenge: Record<string, string> = err.code === 'UNAUTHORIZED' ? { 'www-authenticate': GO_CHALLENGE } : {};
  return jsonResponse(err.status, { error: err.message, code: err.code }, challenge);
}
