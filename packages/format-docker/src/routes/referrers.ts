import type { FormatResponse, MountRequest } from '@depot/core';
import type { DockerDeps, Target } from '../deps.js';
import { ociError } from '../errors.js';
import { OCI_INDEX } from '../media-types.js';
import { parseDigest } from '../names.js';
import { requireAccess } from '../resolve.js';
import { findReferrers } from '../store/read.js';
import { json } from './response.js';

/**
 * `GET /v2/<name>/referrers/<digest>?artifactType=` (distribution-spec "Listing Referrers"): an OCI
 * index of the manifests whose `subject` is `digest` — empty, never 404, when there are none.
 */
export async function listReferrers(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  digest: string,
): Promise<FormatResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw ociError('UNSUPPORTED', 'method not allowed');
  requireAccess(req, 'read', t.repo.name);
  parseDigest(digest);
  const artifactType = req.query.get('artifactType');
  const all = await findReferrers(deps, t, digest);
  const manifests = artifactType === null ? all : all.filter((d) => d.artifactType === artifactType);
  manifests.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const headers: Record<string, string> = { 'Content-Type': OCI_INDEX };
  if (artifactType !== null) headers['OCI-Filters-Applied'] = 'artifactType';
  return json(200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, headers);
}
