import type { BaseFormatRequest, DepotError, FormatResponse } from '@depot/core';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;

/** A JSON response. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): FormatResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

/** The challenge cargo answers: it tells the user where to get a token (`cargo login`). */
export const cargoChallenge = (req: BaseFormatRequest): string => `Cargo login_url="${req.baseUrl}/api/v1/auth/login"`;

/** Errors in cargo's shape, `{"errors": [{"detail": "..."}]}`, which cargo prints. */
export function renderCargoError(err: DepotError): FormatResponse {
  return jsonResponse(err.status, { errors: [{ detail: err.message }], code: err.code });
}
