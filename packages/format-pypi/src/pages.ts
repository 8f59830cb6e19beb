import { isDepotError, type RepositoryRecord } from '@depot/core';
import { cachedIndex, cachedPage } from './cache.js';
import type { PypiEnv } from './env.js';
import type { PageFile, ProjectPage } from './types.js';

/** The hosted page of `project` (generated metadata, rebuilt when stale). */
async function hostedPageOf(env: PypiEnv, repo: string, project: string): Promise<ProjectPage | null> {
  const bytes = await env.simple.read(repo, project);
  return JSON.parse(new TextDecoder().decode(bytes)) as ProjectPage | null;
}

/** Runs `read` on each leaf member in order; a member that fails upstream is skipped (logged). */
async function eachMember<T>(
  env: PypiEnv,
  repo: RepositoryRecord,
  read: (member: RepositoryRecord) => Promise<T>,
): Promise<T[]> {
  const out: T[] = [];
  let failure: unknown;
  for (const member of await env.engine.resolveMembers(repo.name)) {
    if (member.name === repo.name || member.repo_type === 'proxy') continue;
    try {
      out.push(await read(member));
    } catch (err) {
      env.ctx.logger.warn({ repo: repo.name, member: member.name, err: String(err) }, 'pypi proxy member failed');
      if (!isDepotError(err, 'UPSTREAM_ERROR')) failure ??= err;
    }
  }
  if (out.length === 0 && failure !== undefined) throw failure;
  return out;
}

/** Merges member pages in member order: the first member that lists a file name wins it. */
export function mergePages(pages: readonly ProjectPage[]): ProjectPage | null {
  const [first] = pages;
  if (first === undefined) return null;
  const seen = new Set<string>();
  const files: PageFile[] = [];
  for (const page of pages) {
    for (const file of page.files) {
      if (seen.has(file.filename)) continue;
      seen.add(file.filename);
      files.push(file);
    }
  }
  return { name: first.name, files };
}

/** The simple page of `project` in a repository of any type, or `null`. */
export async function loadPage(
  env: PypiEnv,
  repo: RepositoryRecord,
  project: string,
  signal?: AbortSignal,
): Promise<ProjectPage | null> {
  if (repo.repo_type === 'hosted') return hostedPageOf(env, repo.name, project);
  if (repo.repo_type === 'cache') return cachedPage(env.engine, repo, project, signal);
  const pages = await eachMember(env, repo, (member) => loadPage(env, member, project, signal));
  return mergePages(pages.filter((p): p is ProjectPage => p !== null));
}

/** The project names of a repository of any type. */
export async function loadIndex(env: PypiEnv, repo: RepositoryRecord, signal?: AbortSignal): Promise<string[]> {
  if (repo.repo_type === 'hosted') {
    return JSON.parse(new TextDecoder().decode(await env.simple.read(repo.name, ''))) as string[];
  }
  if (repo.repo_type === 'cache') return cachedIndex(env.engine, repo, signal);
  return (await eachMember(env, repo, (member) => loadIndex(env, member, signal))).flat();
}
