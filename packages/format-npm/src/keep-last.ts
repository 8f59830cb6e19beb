import { notFound, type PackageVersionsHook, type RepositoryRecord } from '@depot/core';
import type { NpmEnv } from './env.js';
import { tarballPath } from './names.js';
import { versionFile } from './render.js';
import { nextTags, touched } from './routes/update.js';
import { dict } from './tags.js';
import type { PackumentVersion } from './types.js';

/**
 * `cleanup_keep_last` for hosted npm repositories: each package's versions, by their `time`
 * entries. Removing one is `npm unpublish name@version`: the version leaves the packument (dist-tags
 * naming it move to the highest remaining version), then its tarball goes; the last version takes
 * the packument with it.
 */
export function npmVersions(env: NpmEnv): PackageVersionsHook {
  return {
    async *list(repo) {
      for await (const { doc } of env.store.scan(repo.name)) {
        yield {
          package: doc.name,
          versions: Object.keys(doc.versions).map((version) => ({ version, published_at: doc.time?.[version] ?? '' })),
        };
      }
    },
    remove: (repo, name, version) => removeVersion(env, repo.name, name, version),
  };
}

/**
 * Deletes the artifact at `path` of hosted `repo` (bulk delete through the admin API): a published
 * version's tarball is unpublished with its version; anything else is deleted as it is.
 */
export async function removeArtifact(env: NpmEnv, repo: RepositoryRecord, path: string): Promise<boolean> {
  const at = path.indexOf('/-/');
  if (at > 0) {
    const name = path.slice(0, at);
    const file = path.slice(at + 3);
    const stored = await env.store.get(repo.name, name);
    const version = Object.entries(stored?.doc.versions ?? {}).find(([, v]) => versionFile(v) === file)?.[0];
    if (version !== undefined) {
      await removeVersion(env, repo.name, name, version);
      return true;
    }
  }
  return env.engine.delete(repo.name, path);
}

/** `npm unpublish name@version`: the version leaves the packument, then its tarball goes. */
async function removeVersion(env: NpmEnv, repo: string, name: string, version: string): Promise<void> {
  let removed: PackumentVersion | undefined;
  await env.store.update(repo, name, (current) => {
    removed = current?.doc.versions[version];
    if (current === null || removed === undefined) throw notFound(`${name}@${version} is not published`);
    const versions = dict<PackumentVersion>();
    for (const [key, v] of Object.entries(current.doc.versions)) if (key !== version) versions[key] = v;
    if (Object.keys(versions).length === 0) return null;
    return {
      ...current.doc,
      versions,
      'dist-tags': nextTags(current, {}, versions, false),
      time: touched(current.doc),
    };
  });
  env.merged.invalidate(name);
  if (removed !== undefined) await env.engine.delete(repo, tarballPath(name, versionFile(removed)));
}
