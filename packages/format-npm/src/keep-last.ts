import { notFound, type PackageVersionsHook } from '@depot/core';
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
    async remove(repo, name, version) {
      let removed: PackumentVersion | undefined;
      await env.store.update(repo.name, name, (current) => {
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
      if (removed !== undefined) await env.engine.delete(repo.name, tarballPath(name, versionFile(removed)));
    },
  };
}
