import { type ArtifactRead, type ByteRange, isDepotError, type RepositoryRecord } from '@depot/core';
import { cacheManifest, cacheTags } from '../cache/cache-manifests.js';
import { refreshCacheReferrers } from '../cache/cache-referrers.js';
import type { DockerDeps, Target } from '../deps.js';
import type { Descriptor } from '../manifest-doc.js';
import { looksLikeDigest } from '../names.js';
import { hostedManifest, type ManifestHit } from './hosted.js';
import { blobPath, cacheBlobPath, tagPrefix } from './paths.js';

/** The hosted and cache repositories a read of `repo` walks, in order (itself unless a proxy). */
export async function leaves(deps: DockerDeps, repo: RepositoryRecord): Promise<readonly RepositoryRecord[]> {
  if (repo.repo_type !== 'proxy') return [repo];
  const all = await deps.engine.resolveMembers(repo.name);
  return all.filter((m) => m.format === repo.format);
}

/**
 * Walks the leaves in order, first hit wins. A server-side failure of one member does not hide the
 * others; it is rethrown only when nobody had the thing. A member whose upstream could not be asked
 * (`UPSTREAM_ERROR`) counts as not having it, so a proxy answers 404 `NAME_UNKNOWN` /
 * `MANIFEST_UNKNOWN` rather than 502 then, as format-npm does (a 5xx makes clients retry for long).
 */
async function firstHit<T>(
  deps: DockerDeps,
  repo: RepositoryRecord,
  read: (leaf: RepositoryRecord) => Promise<T | null>,
): Promise<T | null> {
  let failure: unknown;
  for (const leaf of await leaves(deps, repo)) {
    try {
      const found = await read(leaf);
      if (found !== null) return found;
    } catch (err) {
      if (repo.repo_type !== 'proxy' || !isDepotError(err) || err.status < 500) throw err;
      deps.ctx.logger.warn({ repo: repo.name, member: leaf.name, err: String(err) }, 'docker proxy member failed');
      if (!isDepotError(err, 'UPSTREAM_ERROR')) failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
  return null;
}

/** A manifest by tag or digest, across members. */
export function findManifest(deps: DockerDeps, t: Target, ref: string, headOnly: boolean): Promise<ManifestHit | null> {
  return firstHit(deps, t.repo, (leaf) => {
    if (leaf.repo_type === 'cache') return cacheManifest(deps, leaf, t.image, ref, headOnly);
    const key = looksLikeDigest(ref) ? { digest: ref } : { tag: ref };
    return hostedManifest(deps, leaf.name, t.image, key, headOnly);
  });
}

/** A blob, across members; cache members fetch it upstream through the engine. */
export function findBlob(
  deps: DockerDeps,
  t: Target,
  digest: string,
  options: { range?: ByteRange; headOnly: boolean },
): Promise<ArtifactRead | null> {
  return firstHit(deps, t.repo, (leaf) => {
    const path = leaf.repo_type === 'cache' ? cacheBlobPath(t.image, digest) : blobPath(digest);
    return deps.engine.get(leaf.name, path, options);
  });
}

/** Every tag of a hosted image. */
async function hostedTags(deps: DockerDeps, repo: string, image: string): Promise<string[]> {
  const prefix = tagPrefix(image);
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.engine.list(repo, { prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const a of page.artifacts) {
      const tag = a.path.slice(prefix.length);
      if (!tag.includes('/')) out.push(tag);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/** Tags merged across members, sorted; `null` when no member knows the image. */
export async function findTags(deps: DockerDeps, t: Target): Promise<string[] | null> {
  const tags = new Set<string>();
  let known = false;
  for (const leaf of await leaves(deps, t.repo)) {
    const found =
      leaf.repo_type === 'cache' ? await cacheTags(deps, leaf, t.image) : await hostedTags(deps, leaf.name, t.image);
    for (const tag of found) tags.add(tag);
    if (found.length > 0 || (await deps.kv.images.get(`${leaf.name}/${t.image}`)) !== null) known = true;
  }
  return known ? [...tags].sort() : null;
}

/**
 * Manifests whose `subject` is `digest`, merged across members (first member wins per digest). A
 * cache member first copies its upstream's referrers into its own index.
 */
export async function findReferrers(deps: DockerDeps, t: Target, digest: string): Promise<Descriptor[]> {
  const seen = new Map<string, Descriptor>();
  for (const leaf of await leaves(deps, t.repo)) {
    if (leaf.repo_type === 'cache') await refreshCacheReferrers(deps, leaf, t.image, digest);
    for await (const { record } of deps.kv.referrers.scan({ prefix: `${leaf.name}/${t.image}/${digest}/` })) {
      if (!seen.has(record.digest)) seen.set(record.digest, record);
    }
  }
  return [...seen.values()];
}

/** Image names of a repository (merged across members for a proxy). */
export async function findImages(deps: DockerDeps, repo: RepositoryRecord): Promise<string[]> {
  const images = new Set<string>();
  for (const leaf of await leaves(deps, repo)) {
    for await (const { id } of deps.kv.images.scan({ prefix: `${leaf.name}/` }))
      images.add(id.slice(leaf.name.length + 1));
  }
  return [...images].sort();
}
