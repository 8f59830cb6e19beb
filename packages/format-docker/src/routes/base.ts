import type { FormatResponse, MountRequest, Principal } from '@depot/core';
import { readAll } from '../bytes.js';
import type { DockerDeps } from '../deps.js';
import { ociError } from '../errors.js';
import { json } from './response.js';

/** `GET /v2/`: 401 with the Bearer challenge for anonymous callers, so clients log in; else `{}`. */
export function apiBase(req: MountRequest): FormatResponse {
  if (req.principal.anonymous) throw ociError('UNAUTHORIZED', 'authentication required');
  return json(200, {});
}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  if (header === undefined || !header.toLowerCase().startsWith('basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Credentials of a token request: a `grant_type=password` form (containerd) or Basic (docker). */
async function credentials(req: MountRequest): Promise<{ username: string; password: string } | null> {
  if (req.method === 'POST') {
    const form = new URLSearchParams(new TextDecoder().decode(await readAll(req.body, 64 * 1024)));
    const username = form.get('username');
    const password = form.get('password');
    if (form.get('grant_type') === 'password' && username !== null && password !== null) return { username, password };
  }
  return basicCredentials(req.headers.authorization);
}

/**
 * `GET|POST /v2/token` (Docker token auth): `{token, access_token, expires_in, issued_at}`. Without
 * credentials the token is issued for the caller as resolved (anonymous). `service` and `scope`
 * are ignored: the token carries the user's own grants.
 */
export async function token(deps: DockerDeps, req: MountRequest): Promise<FormatResponse> {
  if (req.method !== 'GET' && req.method !== 'POST') throw ociError('UNSUPPORTED', 'method not allowed');
  const creds = await credentials(req);
  let principal: Principal = req.principal;
  if (creds !== null) {
    const verified = await deps.ctx.auth.verifyPassword(creds.username, creds.password);
    if (verified === null) throw ociError('UNAUTHORIZED', 'invalid username or password');
    principal = verified;
  }
  const issued = await deps.ctx.auth.issueToken(principal);
  return json(200, {
    token: issued.token,
    access_token: issued.token,
    expires_in: issued.expiresInSecs,
    issued_at: new Date(deps.now()).toISOString(),
  });
}
