import {
  type BaseFormatRequest,
  DepotError,
  type FormatResponse,
  type FormatRuntime,
  HTTP_STATUS,
  isDepotError,
} from '@depot/core';

/** Any thrown value as a DepotError; unknown errors become `INTERNAL_ERROR`, as in the server. */
export function asDepotError(err: unknown): DepotError {
  if (isDepotError(err)) return err;
  return new DepotError('INTERNAL_ERROR', 'internal error', { cause: err });
}

/**
 * Renders an error the way the server's single error renderer does: through the format's own
 * `renderError` when it has one, else `{"error":{"code","message"}}` (spec/api.md "Errors"). A 401
 * gets the format's `WWW-Authenticate` challenge unless the renderer set one.
 */
export function renderFormatError(err: unknown, runtime: FormatRuntime, req: BaseFormatRequest): FormatResponse {
  const depotError = asDepotError(err);
  const rendered: FormatResponse = runtime.renderError?.(depotError, req) ?? {
    status: HTTP_STATUS[depotError.code],
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code: depotError.code, message: depotError.message } }),
  };
  if (rendered.status !== 401 || runtime.challenge === undefined) return rendered;
  const headers = rendered.headers ?? {};
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'www-authenticate')) return rendered;
  return { ...rendered, headers: { ...headers, 'www-authenticate': runtime.challenge(req) } };
}
