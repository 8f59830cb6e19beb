import {
  badRequest,
  DepotError,
  discardBody,
  type FormatRequest,
  type FormatResponse,
  notAllowed,
  notFound,
  type RepoAction,
} from '@depot/core';

/** 401 for anonymous callers (so clients retry with credentials), 403 for everyone else. */
function requireAccess(req: FormatRequest, action: RepoAction): void {
  if (req.principal.can(action, req.repo.name)) return;
  if (req.principal.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
  throw new DepotError('FORBIDDEN', `${action} access to repository ${req.repo.name} denied`);
}

/** `PUT /repository/{repo}/{path}`: stores the body as a text file, answers 201. */
export async function putText(req: FormatRequest): Promise<FormatResponse> {
  requireAccess(req, 'write');
  if (req.path === '') throw badRequest('a file path is required');
  const record = await req.engine.put(req.repo.name, req.path, req.body, {
    contentType: 'text/plain; charset=utf-8',
    signal: req.signal,
  });
  return {
    status: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: record.path, size: record.size }),
  };
}

/** `GET`/`HEAD`: the stored text with the configured `X-Greeting` header. */
export async function getText(req: FormatRequest, greeting: string): Promise<FormatResponse> {
  requireAccess(req, 'read');
  if (req.path === '') throw notFound('no file at the repository root');
  const read = await req.engine.get(req.repo.name, req.path, { headOnly: req.method === 'HEAD' });
  if (read === null) throw notFound('file not found');
  if (req.method === 'HEAD') await discardBody(read.body);
  return {
    status: 200,
    headers: {
      'content-type': read.record.content_type,
      'content-length': String(read.record.size),
      'x-greeting': greeting,
    },
    body: req.method === 'HEAD' ? null : read.body,
  };
}

/** `DELETE`: 204, or 404 when nothing was there. */
export async function deleteText(req: FormatRequest): Promise<FormatResponse> {
  requireAccess(req, 'delete');
  if (!(await req.engine.delete(req.repo.name, req.path))) throw notFound('file not found');
  return { status: 204 };
}

/** Every other method. */
export function unsupported(req: FormatRequest): never {
  throw notAllowed(`method ${req.method} is not allowed on hello repositories`);
}
