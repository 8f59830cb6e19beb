import { type FormatRequest, type FormatResponse, notAllowed, notFound } from '@depot/core';
import { deleteVersion } from './delete.js';
import type { GoEnv } from './env.js';
import { parseGoPath, SUMDB_PREFIX } from './paths.js';
import { getLatest, getList, getVersionFile } from './serve.js';
import { getSumdb } from './sumdb.js';
import { upload } from './upload.js';

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Dispatches one request under `/repository/{repo}/` to its GOPROXY route. */
export function route(env: GoEnv, req: FormatRequest): Promise<FormatResponse> {
  const path = req.path;
  if (path === 'upload') {
    if (req.method === 'POST') return upload(env, req);
    throw notAllowed('upload takes POST (multipart: module, version, zip, optional mod and info)');
  }
  if (path.startsWith(SUMDB_PREFIX)) {
    if (isRead(req.method)) return getSumdb(env, req);
    throw notAllowed('the checksum database is read-only');
  }
  const parsed = parseGoPath(path);
  if (parsed === null) throw notFound(`no such GOPROXY path: ${path === '' ? '/' : path}`);
  if (req.method === 'DELETE' && parsed.kind === 'file') return deleteVersion(env, req, parsed);
  if (!isRead(req.method)) throw notAllowed(`${req.method} is not supported here; upload with POST upload`);
  if (parsed.kind === 'list') return getList(env, req, parsed);
  if (parsed.kind === 'latest') return getLatest(env, req, parsed);
  return getVersionFile(env, req, parsed);
}
