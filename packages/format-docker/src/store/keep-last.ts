import type { PackageVersionsHook } from '@depot/core';
import type { DockerDeps } from '../deps.js';
import { deleteByDigest, refuseImmutableTagDelete } from '../routes/manifests.js';
import { tagPath } from './paths.js';
import { untaggedManifests } from './untagged.js';

const TAG = /^(.+)\/_tags\/([^/]+)$/;

/**
 * `cleanup_keep_last` for hosted Docker repositories: the packages are images, the versions their
 * tags, newest by when the tag last moved. Removing a tag also removes the manifest it pointed at
 * once nothing keeps it (no other tag, no tagged index, not a referrer of a kept manifest); an
 * index's children follow with `cleanup_untagged_manifests`. Immutable tags are never removed.
 */
export function dockerVersions(deps: DockerDeps): PackageVersionsHook {
  return {
    async *list(repo) {
      const images = new Map<string, { version: string; published_at: string }[]>();
      let cursor: string | undefined;
      do {
        const page = await deps.engine.list(repo.name, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
        for (const a of page.artifacts) {
          const m = TAG.exec(a.path);
          if (m === null) continue;
          const [, image = '', tag = ''] = m;
          const tags = images.get(image) ?? [];
          tags.push({ version: tag, published_at: a.updated_at });
          images.set(image, tags);
        }
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined);
      for (const [image, versions] of images) yield { package: image, versions };
    },
    async remove(repo, image, tag) {
      refuseImmutableTagDelete(repo, tag);
      const record = await deps.engine.stat(repo.name, tagPath(image, tag));
      const digest = record?.meta?.digest;
      if (record === null || !(await deps.engine.delete(repo.name, tagPath(image, tag)))) return;
      if (typeof digest !== 'string') return;
      const loose = await untaggedManifests(deps, repo.name, deps.now(), 0);
      if (loose.some((m) => m.image === image && m.digest === digest)) await deleteByDigest(deps, repo, image, digest);
    },
  };
}
