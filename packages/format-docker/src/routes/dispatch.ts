import type { FormatResponse, MountRequest } from '@depot/core';
import type { DockerDeps, Target } from '../deps.js';
import { ociError } from '../errors.js';
import { type ImageRoute, parseMountPath } from '../names.js';
import { requireAccess, resolveTarget } from '../resolve.js';
import { apiBase, token } from './base.js';
import { deleteBlob, getBlob } from './blobs.js';
import { catalog } from './catalog.js';
import { putManifest } from './manifest-put.js';
import { deleteManifest, getManifest, writableRepo } from './manifests.js';
import { listReferrers } from './referrers.js';
import { listTags } from './tags.js';
import { continueUpload } from './upload-chunks.js';
import { startUpload } from './uploads.js';

const unsupported = () => ociError('UNSUPPORTED', 'method not allowed');

async function uploads(deps: DockerDeps, req: MountRequest, t: Target, uuid: string | null): Promise<FormatResponse> {
  requireAccess(req, 'write', t.repo.name);
  const repo = await writableRepo(deps, req, t.repo, 'write');
  if (uuid === null) {
    if (req.method !== 'POST') throw unsupported();
    return startUpload(deps, req, t, repo);
  }
  return continueUpload(deps, req, t, repo, uuid);
}

function imageRoute(deps: DockerDeps, req: MountRequest, t: Target, route: ImageRoute): Promise<FormatResponse> {
  const m = req.method;
  switch (route.kind) {
    case 'manifest':
      if (m === 'GET' || m === 'HEAD') return getManifest(deps, req, t, route.reference);
      if (m === 'PUT') return putManifest(deps, req, t, route.reference);
      if (m === 'DELETE') return deleteManifest(deps, req, t, route.reference);
      throw unsupported();
    case 'blob':
      if (m === 'GET' || m === 'HEAD') return getBlob(deps, req, t, route.digest);
      if (m === 'DELETE') return deleteBlob(deps, req, t, route.digest);
      throw unsupported();
    case 'upload':
      return uploads(deps, req, t, route.uuid);
    case 'tags':
      return listTags(deps, req, t);
    case 'referrers':
      return listReferrers(deps, req, t, route.digest);
  }
}

/** Answers a request under `/v2`. Errors are thrown as DepotErrors carrying their OCI code. */
export async function handleV2(deps: DockerDeps, req: MountRequest): Promise<FormatResponse> {
  const route = parseMountPath(req.rawPath.split('?')[0] ?? '');
  if (route === null) throw ociError('NAME_UNKNOWN', 'unknown registry path');
  switch (route.kind) {
    case 'base':
      return apiBase(req);
    case 'token':
      return token(deps, req);
    case 'catalog':
      if (req.method !== 'GET') throw unsupported();
      return catalog(deps, req);
    case 'image': {
      const target = await resolveTarget(deps, req, route.name);
      return imageRoute(deps, req, target, route.route);
    }
  }
}
