import { type FormatRequest, type FormatResponse, notFound, requireRepoAccess, upstreamSignal } from '@depot/core';
import type { PypiEnv } from '../env.js';
import { isValidName, normalizeName } from '../names.js';
import { loadIndex, loadPage } from '../pages.js';
import { negotiate, renderIndex, renderProject, simpleResponse } from '../render.js';

/** A redirect to the canonical page URL (normalized name, trailing slash): relative links need it. */
function redirect(req: FormatRequest, rest: string): FormatResponse {
  return {
    status: 301,
    headers: { location: `${req.baseUrl}/repository/${encodeURIComponent(req.repo.name)}/${rest}` },
    body: null,
  };
}

/** `GET /simple/`: the project list, HTML or JSON (PEP 691). */
export async function getIndex(env: PypiEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  if (!req.rawPath.endsWith('/')) return redirect(req, 'simple/');
  const { form, contentType } = negotiate(req.headers.accept);
  const names = await loadIndex(env, req.repo, upstreamSignal(req));
  return simpleResponse(renderIndex(names, form), contentType);
}

/** `GET /simple/{project}/`: the project page, HTML or JSON (PEP 691). */
export async function getProject(env: PypiEnv, req: FormatRequest, name: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  if (!isValidName(name)) throw notFound(`no such project: ${name.slice(0, 100)}`);
  const project = normalizeName(name);
  if (project !== name || !req.rawPath.endsWith('/')) return redirect(req, `simple/${project}/`);
  const page = await loadPage(env, req.repo, project, upstreamSignal(req));
  if (page === null || page.files.length === 0) throw notFound(`no such project: ${project}`);
  const { form, contentType } = negotiate(req.headers.accept);
  return simpleResponse(renderProject(page, form), contentType, req.headers['if-none-match']);
}
