import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isDepotError, type Principal } from '@depot/core';
import { auditFailedCredentials } from '../audit/audit-request.js';
import type { DepotServices } from '../runtime/services.js';
import { setRequestUser } from './request-events.js';

/** An incoming `x-request-id` is kept only when it is short and plain. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id for a request that sent `incoming` as `x-request-id`: it, when plain, else a fresh UUID. */
export function settleRequestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The one authentication chain of every request, admin API and artifact surface alike: rate limit
 * by peer, authenticate the credentials, record the user for the access log, refuse a user who must
 * change their password (but for `method path` of the password change itself). Throws
 * `RATE_LIMITED`, `UNAUTHORIZED` (bad credentials) or `FORBIDDEN`; no credentials is the anonymous
 * principal.
 */
export async function identify(
  services: DepotServices,
  request: { readonly headers: Headers; readonly peer: string; readonly method: string; readonly path: string },
  incoming: IncomingMessage | undefined,
): Promise<Principal> {
  services.auth.rateLimit(request.peer, request.headers);
  let principal: Principal;
  try {
    principal = await services.auth.authenticate(request.headers, request.peer);
  } catch (err) {
    if (incoming !== undefined && isDepotError(err, 'UNAUTHORIZED'))
      auditFailedCredentials(services.audit, incoming, request.path);
    throw err;
  }
  if (incoming !== undefined) setRequestUser(incoming, principal.username);
  services.auth.requirePasswordCurrent(principal, request.method, request.path);
  return principal;
}
