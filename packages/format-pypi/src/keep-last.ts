import { isDepotError, type PackageVersionsHook } from '@depot/core';
import type { PypiEnv } from './env.js';
import { removeFiles } from './routes/admin.js';

/**
 * `cleanup_keep_last` for hosted PyPI repositories: each project's releases, published when their
 * newest file was uploaded. Removing one deletes every file of the release, as
 * `DELETE /pypi/{project}/{version}` does.
 */
export function pypiVersions(env: PypiEnv): PackageVersionsHook {
  return {
    async *list(repo) {
      for await (const { project, record } of env.store.scan(repo.name)) {
        const releases = new Map<string, string>();
        for (const file of Object.values(record.files)) {
          const seen = releases.get(file.version);
          if (seen === undefined || file.upload_time > seen) releases.set(file.version, file.upload_time);
        }
        yield {
          package: project,
          versions: [...releases].map(([version, published_at]) => ({ version, published_at })),
        };
      }
    },
    async remove(repo, project, version) {
      await removeFiles(env, repo.name, project, version);
    },
  };
}

/**
 * Deletes the artifact at `path` of hosted `repo` (bulk delete through the admin API): a
 * distribution file leaves its project record first (the simple pages stop listing it), then goes
 * with its `.metadata`; anything else is deleted as it is.
 */
export async function removeArtifact(env: PypiEnv, repo: string, path: string): Promise<boolean> {
  const file = /^packages\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
  if (file !== null && !path.endsWith('.metadata')) {
    try {
      await removeFiles(env, repo, file[1] as string, file[2] as string, file[3] as string);
      return true;
    } catch (err) {
      if (!isDepotError(err, 'NOT_FOUND')) throw err;
    }
  }
  return env.engine.delete(repo, path);
}
