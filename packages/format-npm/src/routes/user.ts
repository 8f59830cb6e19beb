import { badRequest, DepotError, type FormatRequest, type FormatResponse } from '@depot/core';
import { readJsonObject } from '../body.js';
import type { NpmEnv } from '../env.js';
import { jsonResponse } from '../errors.js';

const MAX_LOGIN_BODY = 64 * 1024;
const USER_PREFIX = 'org.couchdb.user:';

/**
 * `PUT -/user/org.couchdb.user:{name}` (`npm login --auth-type=legacy`, `npm adduser`): checks the
 * body's credentials and issues a token. Depot never creates users here; a wrong password is 401.
 */
export async function login(env: NpmEnv, req: FormatRequest, id: string): Promise<FormatResponse> {
  const body = await readJsonObject(req.body, req.headers, MAX_LOGIN_BODY);
  const { name, password } = body;
  if (typeof name !== 'string' || typeof password !== 'string' || name === '')
    throw badRequest('name and password are required');
  const urlName = id.startsWith(USER_PREFIX) ? id.slice(USER_PREFIX.length) : id;
  if (urlName !== name) throw badRequest('the user name in the body does not match the URL');
  const principal = await env.ctx.auth.verifyPassword(name, password);
  if (principal === null) throw new DepotError('UNAUTHORIZED', 'bad username or password');
  const issued = await env.ctx.auth.issueToken(principal);
  return jsonResponse(201, { ok: true, id: `${USER_PREFIX}${name}`, token: issued.token });
}

/** `GET -/whoami`: the caller's name; anonymous callers are asked to authenticate. */
export function whoami(req: FormatRequest): FormatResponse {
  if (req.principal.anonymous) throw new DepotError('UNAUTHORIZED', 'not logged in');
  return jsonResponse(200, { username: req.principal.username });
}
