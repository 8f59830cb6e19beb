import type { PackageVersionsHook } from '@depot/core';
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
