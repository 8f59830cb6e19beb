import type { FormatResponse, MountRequest } from '@depot/core';
import type { DockerDeps } from '../deps.js';
import { findImages } from '../store/read.js';
import { json, pageSize, paginate } from './response.js';

/**
 * `GET /v2/_catalog?n=&last=`: images of every Docker repository the caller may read, as
 * `<repo>/<image>` (just `<image>` on a repository's own listener). Paginated with a `Link` header.
 */
export async function catalog(deps: DockerDeps, req: MountRequest): Promise<FormatResponse> {
  const names: string[] = [];
  if (req.boundRepo !== undefined) {
    if (req.principal.can('read', req.boundRepo.name)) names.push(...(await findImages(deps, req.boundRepo)));
  } else {
    for await (const repo of deps.ctx.repositories.list()) {
      if (repo.format !== 'docker' || !req.principal.can('read', repo.name)) continue;
      for (const image of await findImages(deps, repo)) names.push(`${repo.name}/${image}`);
    }
  }
  names.sort();
  const n = pageSize(req.query.get('n'));
  const page = paginate(names, req.query.get('last'), n);
  const headers: Record<string, string> =
    page.next === null ? {} : { Link: `</v2/_catalog?n=${n}&last=${encodeURIComponent(page.next)}>; rel="next"` };
  return json(200, { repositories: page.items }, headers);
}
