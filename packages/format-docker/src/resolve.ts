import {
  accessDenied,
  type BaseFormatRequest,
  requireAccess as checkAccess,
  type MountRequest,
  type RepoAction,
  type RepositoryRecord,
} from '@depot/core';
import { type DockerDeps, SETTING_DEFAULT_REPO, type Target } from './deps.js';
import { ociError } from './errors.js';
import { checkImageName } from './names.js';

async function dockerRepo(deps: DockerDeps, name: string): Promise<RepositoryRecord | null> {
  const repo = await deps.ctx.repositories.get(name);
  return repo === null || repo.format !== 'docker' ? null : repo;
}

/**
 * Maps a client name to a repository and image. `/v2/<repo>/<image…>` when the first segment is a
 * Docker repository; otherwise the whole name is an image of the `default_docker_repo` setting; on
 * a repository's own listener (`boundRepo`) the whole name is an image of that repository.
 */
export async function resolveTarget(deps: DockerDeps, req: MountRequest, name: string): Promise<Target> {
  if (req.boundRepo !== undefined) {
    checkImageName(name);
    return { repo: req.boundRepo, image: name, name };
  }
  const slash = name.indexOf('/');
  if (slash > 0) {
    const repo = await dockerRepo(deps, name.slice(0, slash));
    if (repo !== null) {
      const image = name.slice(slash + 1);
      checkImageName(image);
      return { repo, image, name };
    }
  }
  checkImageName(name);
  const fallback = deps.ctx.settings()[SETTING_DEFAULT_REPO];
  if (typeof fallback === 'string' && fallback !== '') {
    const repo = await dockerRepo(deps, fallback);
    if (repo !== null) return { repo, image: name, name };
  }
  throw ociError('NAME_UNKNOWN', 'repository name not known to registry', { detail: { name } });
}

/** The `WWW-Authenticate` challenge OCI clients expect (prototype-inventory §10.3). */
export function bearerChallenge(req: BaseFormatRequest): string {
  return `Bearer realm="${req.baseUrl.replace(/\/+$/, '')}/v2/token",service="depot"`;
}

/**
 * Throws unless the caller may `action` on `repo` (core's `requireAccess`: anonymous callers get
 * 401 so clients send credentials, authenticated ones 403, rendered as OCI `DENIED`). `refused`:
 * the engine already refused (a proxy member lacks the permission), so refuse whatever the caller's
 * rights on `repo` are.
 */
export function requireAccess(req: BaseFormatRequest, action: RepoAction, repo: string, refused?: unknown): void {
  if (refused !== undefined) throw accessDenied(req.principal, action, repo);
  checkAccess(req.principal, action, repo);
}
