import { badRequest, type FormatRequest, type FormatResponse, notFound, requireRepoAccess } from '@depot/core';

/** DELETE of one artifact: 204, or 404 when nothing was there (proxies try every member). */
export async function deleteArtifact(req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  if (req.path === '') throw badRequest('an artifact path is required');
  const deleted = await req.engine.delete(req.repo.name, req.path);
  if (!deleted) throw notFound('artifact not found');
  return { status: 204 };
}
