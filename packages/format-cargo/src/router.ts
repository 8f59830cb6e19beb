import { type FormatRequest, type FormatResponse, notAllowed, notFound } from '@depot/core';
import { download, owners, publish, search, setYanked } from './api-routes.js';
import type { CargoEnv } from './env.js';
import { getConfig, getIndexFile } from './index-routes.js';

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Dispatches one request under `/repository/{repo}/` to its sparse-registry route. */
export async function route(env: CargoEnv, req: FormatRequest): Promise<FormatResponse> {
  const path = req.path;
  if (path.startsWith('index/')) {
    if (!isRead(req.method)) throw notAllowed('the index is read-only; publish with PUT api/v1/crates/new');
    const rest = path.slice('index/'.length);
    return rest === 'config.json' ? getConfig(req) : getIndexFile(env, req, rest);
  }
  const s = path.split('/');
  if (s[0] !== 'api' || s[1] !== 'v1' || s[2] !== 'crates') throw notFound(`no such Cargo path: ${path.slice(0, 200)}`);
  if (s.length === 3 && isRead(req.method)) return search(env, req);
  if (s.length === 4 && s[3] === 'new') {
    if (req.method === 'PUT') return publish(env, req);
    throw notAllowed('publish with PUT api/v1/crates/new');
  }
  const name = s[3] ?? '';
  if (s.length === 5 && s[4] === 'owners') {
    if (isRead(req.method) || req.method === 'PUT' || req.method === 'DELETE') return owners(env, req, name);
    throw notAllowed('owners take GET, PUT and DELETE');
  }
  const version = s[4] ?? '';
  if (s.length === 6 && s[5] === 'download' && isRead(req.method)) return download(env, req, name, version);
  if (s.length === 6 && s[5] === 'yank' && req.method === 'DELETE') return setYanked(env, req, name, version, true);
  if (s.length === 6 && s[5] === 'unyank' && req.method === 'PUT') return setYanked(env, req, name, version, false);
  throw notFound(`no such Cargo path: ${path.slice(0, 200)}`);
}
