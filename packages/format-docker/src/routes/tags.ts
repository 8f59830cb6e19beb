import type { FormatResponse, MountRequest } from '@depot/core';
import type { DockerDeps, Target } from '../deps.js';
import { ociError } from '../errors.js';
import { requireAccess } from '../resolve.js';
import { findTags } from '../store/read.js';
import { json, pageSize, paginate } from './response.js';

/** `GET /v2/<name>/tags/list?n=&last=` (distribution-spec "Listing Tags"), merged across members. */
export async function listTags(deps: DockerDeps, req: MountRequest, t: Target): Promise<FormatResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw ociError('UNSUPPORTED', 'method not allowed');
  requireAccess(req, 'read', t.repo.name);
  const n = pageSize(req.query.get('n'), 10_000);
  const tags = await findTags(deps, t);
  if (tags === null)
    throw ociError('NAME_UNKNOWN', 'repository name not known to registry', { detail: { name: t.name } });
  const page = paginate(tags, req.query.get('last'), n);
  const headers: Record<string, string> =
    page.next === null
      ? {}
      : { Link: `</v2/${t.name}/tags/list?n=${n}&last=${encodeURIComponent(page.next)}>; rel="next"` };
  return json(200, { name: t.name, tags: page.items }, headers);
}
