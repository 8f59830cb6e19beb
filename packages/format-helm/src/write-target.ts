import { type FormatRequest, notAllowed, type RepoAction, type RepositoryRecord } from '@depot/core';
import type { HelmEnv } from './env.js';

/**
 * The hosted repository writes land in: itself, or a proxy's write member, which must allow the
 * caller `action` too (the engine refuses otherwise). Cache repositories refuse.
 */
export async function writeTarget(
  env: HelmEnv,
  req: FormatRequest,
  action: RepoAction = 'write',
): Promise<RepositoryRecord> {
  if (req.repo.repo_type === 'cache') throw notAllowed('cache repositories are read-only');
  if (req.repo.repo_type === 'hosted') return req.repo;
  const target = await env.engine.resolveWriteTarget(req.repo.name, action);
  if (target.repo_type !== 'hosted') throw notAllowed('this proxy has no hosted write member');
  return target;
}
