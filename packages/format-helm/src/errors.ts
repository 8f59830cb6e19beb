import { type DepotError, type FormatResponse, jsonResponse } from '@depot/core';

export { jsonResponse } from '@depot/core';

/** The challenge Helm clients answer with `--username/--password` (Basic). */
export const HELM_CHALLENGE = 'Basic realm="depot"';

/**
 * Errors in ChartMuseum's shape, `{"error": "..."}` (what `helm cm-push` prints), plus Depot's
 * stable `code` for scripts.
 */
export function renderHelmError(err: DepotError): FormatResponse {
  const challenge: Record<string, string> = err.code === 'UNAUTHORIZED' ? { 'www-authenticate': HELM_CHALLENGE } : {};
  return jsonResponse(err.status, { error: err.message, code: err.code }, challenge);
}
