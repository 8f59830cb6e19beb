import { type FormatRequest, notAllowed, type RepositoryRecord } from '@depot/core';
import type { NpmEnv } from '../env.js';

/** The hosted repository writes land in: itself, or a proxy's write member. Cache repos refuse. */
export async function writeTarget(env: NpmEnv, req: FormatRequest): Promise<RepositoryRecord> {
  if (req.repo.repo_type === 'cache') throw notAllowed('cache repositories are read-only');
  if (req.repo.repo_type === 'hosted') return req.repo;
  const target = await env.ctx.engine.resolveWriteTarget(req.repo.name);
  if (target.repo_type !== 'hosted') throw notAllowed('this proxy has no hosted write member');
  return target;
}
