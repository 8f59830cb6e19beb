import { type AccessRule, type FormatRequest, type FormatResponse, notAllowed, notFound } from '@depot/core';
import type { PypiEnv } from './env.js';
import { deleteFiles, setYank } from './routes/admin.js';
import { getFile } from './routes/files.js';
import { getJsonApi } from './routes/json-api.js';
import { getIndex, getProject } from './routes/simple.js';
import { upload } from './routes/upload.js';

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/**
 * Access beyond core's default (`read` for GET/HEAD, `delete` for DELETE, `write` otherwise):
 * a yank (`PUT /pypi/{p}/{v}/yank`) changes no bytes but removes a release from resolution, so it
 * needs `delete`, like un-yank and deletes.
 */
export function pypiAccess(req: FormatRequest): AccessRule | undefined {
  const segments = req.path.split('/');
  if (req.method === 'PUT' && segments[0] === 'pypi' && segments.length === 4 && segments[3] === 'yank')
    return 'delete';
  return undefined;
}

/** Dispatches one request under `/repository/{repo}/` to its PyPI route. */
export function route(env: PypiEnv, req: FormatRequest): Promise<FormatResponse> {
  const segments = req.path === '' ? [] : req.path.split('/');
  const [first, second, third, fourth] = segments;
  const method = req.method;
  if (segments.length === 0 || (first === 'legacy' && segments.length === 1)) {
    if (method === 'POST') return upload(env, req);
    throw notFound('no such PyPI endpoint; the simple index is at simple/');
  }
  if (first === 'simple' && isRead(method)) {
    if (segments.length === 1) return getIndex(env, req);
    if (segments.length === 2 && second !== undefined) return getProject(env, req, second);
  }
  if ((first === 'packages' || first === 'files') && segments.length >= 4) {
    if (isRead(method)) return getFile(env, req);
    throw notAllowed(`${method} is not supported on a file; use DELETE pypi/{project}/{version}/{file}`);
  }
  if (first === 'pypi' && second !== undefined) {
    if (segments.length === 3 && third === 'json' && isRead(method)) return getJsonApi(env, req, second, undefined);
    if (segments.length === 4 && fourth === 'json' && third !== undefined && isRead(method)) {
      return getJsonApi(env, req, second, third);
    }
    if (segments.length === 4 && fourth === 'yank' && third !== undefined) {
      if (method === 'PUT') return setYank(env, req, second, third, true);
      if (method === 'DELETE') return setYank(env, req, second, third, false);
    }
    if (method === 'DELETE' && third !== undefined && segments.length <= 4) {
      return deleteFiles(env, req, second, third, fourth);
    }
  }
  throw notFound(`no such PyPI endpoint: ${req.path.slice(0, 200)}`);
}
