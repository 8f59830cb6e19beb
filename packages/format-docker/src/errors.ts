import { DepotError, type ErrorCode, type FormatResponse } from '@depot/core';

/** The error codes of the OCI distribution-spec ("Error Codes" table) plus the registry's UNKNOWN. */
export type OciErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'UNKNOWN';

/** The Depot error code (and thereby HTTP status) each OCI code is raised as. */
const DEPOT_CODE: Readonly<Record<OciErrorCode, ErrorCode>> = {
  BLOB_UNKNOWN: 'NOT_FOUND',
  BLOB_UPLOAD_INVALID: 'BAD_REQUEST',
  BLOB_UPLOAD_UNKNOWN: 'NOT_FOUND',
  DIGEST_INVALID: 'BAD_REQUEST',
  MANIFEST_BLOB_UNKNOWN: 'BAD_REQUEST',
  MANIFEST_INVALID: 'BAD_REQUEST',
  MANIFEST_UNKNOWN: 'NOT_FOUND',
  NAME_INVALID: 'BAD_REQUEST',
  NAME_UNKNOWN: 'NOT_FOUND',
  SIZE_INVALID: 'BAD_REQUEST',
  TAG_INVALID: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  DENIED: 'FORBIDDEN',
  UNSUPPORTED: 'NOT_ALLOWED',
  TOOMANYREQUESTS: 'RATE_LIMITED',
  UNKNOWN: 'INTERNAL_ERROR',
};

/** The OCI code a plain DepotError (one without an `oci` detail) renders as. */
const FALLBACK: Readonly<Partial<Record<ErrorCode, OciErrorCode>>> = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'DENIED',
  NOT_FOUND: 'NAME_UNKNOWN',
  NOT_ALLOWED: 'UNSUPPORTED',
  DIGEST_MISMATCH: 'DIGEST_INVALID',
  PAYLOAD_TOO_LARGE: 'SIZE_INVALID',
  RANGE_NOT_SATISFIABLE: 'BLOB_UPLOAD_INVALID',
  RATE_LIMITED: 'TOOMANYREQUESTS',
  BAD_REQUEST: 'UNSUPPORTED',
  CONFLICT: 'UNSUPPORTED',
};

/** Every response of the registry API carries this header (distribution-spec "API Version Check"). */
export const API_VERSION_HEADER = { 'Docker-Distribution-Api-Version': 'registry/2.0' } as const;

/** Extra fields an OCI error may carry in its DepotError details. */
export interface OciErrorExtra {
  /** Shown as the `detail` member of the error. */
  readonly detail?: unknown;
  /** Response headers to add (e.g. `Range` on a 416 during an upload). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the HTTP status the Depot code implies (e.g. 416 for an out-of-order chunk). */
  readonly status?: number;
}

/** A DepotError carrying an OCI error code in `details.oci`. */
export function ociError(oci: OciErrorCode, message: string, extra: OciErrorExtra = {}): DepotError {
  return new DepotError(DEPOT_CODE[oci], message, { details: { oci, ...extra } });
}

const ociCodeOf = (err: DepotError): OciErrorCode => {
  const given = err.details?.oci;
  if (typeof given === 'string' && given in DEPOT_CODE) return given as OciErrorCode;
  return FALLBACK[err.code] ?? 'UNKNOWN';
};

/** Renders `err` in the OCI shape `{"errors":[{"code","message","detail"}]}`; `challenge` is asked for on a 401 only. */
export function renderOciError(err: DepotError, challenge: () => string): FormatResponse {
  const code = ociCodeOf(err);
  const status = typeof err.details?.status === 'number' ? err.details.status : err.status;
  const extraHeaders: Record<string, string> = { ...(err.details?.headers as Record<string, string> | undefined) };
  delete extraHeaders['Content-Length'];
  const body = JSON.stringify({ errors: [{ code, message: err.message, detail: err.details?.detail ?? {} }] });
  return {
    status,
    headers: {
      ...API_VERSION_HEADER,
      'Content-Type': 'application/json',
      ...(status === 401 ? { 'WWW-Authenticate': challenge() } : {}),
      ...extraHeaders,
    },
    body,
  };
}
