import { badRequest, type FormatRequest, type FormatResponse, notAllowed, notFound } from '@depot/core';
import type { NpmEnv } from './env.js';
import { jsonResponse } from './errors.js';
import { listTags, removeTag, setTag } from './routes/dist-tags.js';
import { getPackument, getVersion } from './routes/packument.js';
import { putPackument } from './routes/publish.js';
import { search } from './routes/search.js';
import { deleteTarball, getTarball } from './routes/tarball.js';
import { deletePackage } from './routes/update.js';
import { login, whoami } from './routes/user.js';

/** Splits `@scope/name/rest…` or `name/rest…` into the package name and the remaining segments. */
function splitName(segments: readonly string[]): { name: string; rest: string[] } {
  const [first = '', second = ''] = segments;
  if (first.startsWith('@')) {
    if (second === '') throw badRequest('scoped package name needs @scope/name');
    return { name: `${first}/${second}`, rest: segments.slice(2) };
  }
  return { name: first, rest: segments.slice(1) };
}

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Registry endpoints under `-/` (ping, whoami, login, search, dist-tags). */
function routeSpecial(
  env: NpmEnv,
  req: FormatRequest,
  segments: readonly string[],
): Promise<FormatResponse> | FormatResponse {
  const [, kind = '', ...rest] = segments;
  const method = req.method;
  if (kind === 'ping' && isRead(method)) return jsonResponse(200, {});
  if (kind === 'whoami' && isRead(method)) return whoami(req);
  if (kind === 'user' && rest.length === 1 && method === 'PUT') return login(env, req, rest[0] ?? '');
  if (kind === 'v1' && rest[0] === 'search' && rest.length === 1 && isRead(method)) return search(env, req);
  if (kind === 'package') {
    const { name, rest: after } = splitName(rest);
    if (after[0] === 'dist-tags') {
      if (after.length === 1 && isRead(method)) return listTags(env, req, name);
      const tag = after[1];
      if (after.length === 2 && tag !== undefined) {
        if (method === 'PUT' || method === 'POST') return setTag(env, req, name, tag);
        if (method === 'DELETE') return removeTag(env, req, name, tag);
        if (isRead(method)) return listTags(env, req, name);
      }
    }
  }
  throw notFound(`no such npm endpoint: ${req.path}`);
}

/** Dispatches one request under `/repository/{repo}/` to its npm route. */
export function route(env: NpmEnv, req: FormatRequest): Promise<FormatResponse> | FormatResponse {
  const segments = req.path.split('/');
  if (req.path === '') throw notFound('no package named');
  if (segments[0] === '-') return routeSpecial(env, req, segments);
  const { name, rest } = splitName(segments);
  const method = req.method;
  if (rest.length === 0) {
    if (isRead(method)) return getPackument(env, req, name);
    if (method === 'PUT') return putPackument(env, req, name);
    throw notAllowed(`${method} is not supported on a package`);
  }
  const [first, second, third, fourth] = rest;
  if (first === '-rev' && rest.length === 2 && second !== undefined) {
    if (method === 'PUT') return putPackument(env, req, name, second);
    if (method === 'DELETE') return deletePackage(env, req, name, second);
  }
  if (first === '-' && second !== undefined) {
    if (rest.length === 2 && isRead(method)) return getTarball(env, req, name, second);
    if (rest.length === 4 && third === '-rev' && fourth !== undefined && method === 'DELETE') {
      return deleteTarball(env, req, name, second, fourth);
    }
  }
  if (rest.length === 1 && first !== undefined && isRead(method)) return getVersion(env, req, name, first);
  throw notFound(`no such npm endpoint: ${req.path}`);
}
