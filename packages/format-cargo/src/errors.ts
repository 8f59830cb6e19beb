import { type BaseFormatRequest, type DepotError, type FormatResponse, jsonResponse } from '@depot/core';

export { jsonResponse } from '@depot/core';

/** The challenge cargo answers: it tells the user where to get a token (`cargo login`). */
export const cargoChallenge = (req: BaseFormatRequest): string => `Cargo login_url="${req.baseUrl}/api/v1/auth/login"`;

/** Errors in cargo's shape, `{"errors": [{"detail": "..."}]}`, which cargo prints. */
export function renderCargoError(err: DepotError): FormatResponse {
  return jsonResponse(err.status, { errors: [{ detail: err.message }], code: err.code });
}
