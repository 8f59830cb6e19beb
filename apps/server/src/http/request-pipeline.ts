import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '@depot/core';
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
 * by peer, authenticate the credentials, record the user for the access log. Throws `RATE_LIMITED`
 * or `UNAUTHORIZED` (bad credentials); no credentials is the anonymous principal.
 */
export async function identify(
  services: DepotServices,
  headers: Headers,
  peer: string,
  incoming: IncomingMessage | undefined,
): Promise<Principal> {
  services.auth.rateLimit(peer, headers);
  const principal = await services.auth.authenticate(headers, peer);
  if (incoming !== undefined) setRequestUser(incoming, principal.username);
  return principal;
}
