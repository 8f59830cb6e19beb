import type { DepotError, FormatResponse } from '@depot/core';

/** The challenge Helm clients answer with `--username/--password` (Basic). */
export const HELM_CHALLENGE = 'Basic realm="depot"';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;

/** A JSON response. */
export function jsonResponse(status: number, value: unknown): FormatResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(value) };
}

/**
 * Errors in ChartMuseum's shape, `{"error": "..."}` (what `helm cm-push` prints), plus Depot's
 * stable `code` for scripts.
 */
export function renderHelmError(err: DepotError): FormatResponse {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  if (err.code === 'UNAUTHORIZED') headers['www-authenticate'] = HELM_CHALLENGE;
  return { status: err.status, headers, body: JSON.stringify({ error: err.message, code: err.code }) };
}
