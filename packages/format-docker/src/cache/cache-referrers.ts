import type { RepositoryRecord } from '@depot/core';
import { readAll } from '../bytes.js';
import { type DockerDeps, singleFlight } from '../deps.js';
import { type Descriptor, descriptor, type ManifestInfo, referrerEntry } from '../manifest-doc.js';
import { OCI_INDEX } from '../media-types.js';
import { upstreamImage } from './upstream-name.js';

/** Most bytes of an upstream referrers index read (~20k descriptors); a larger one adds nothing. */
const MAX_REFERRERS_BYTES = 4 * 1024 * 1024;
/** Refresh times kept at most; past this many they are forgotten whole (a refresh too many, no harm). */
const MAX_FRESH = 10_000;

/** The kept entry of one descriptor (only the fields the referrers API returns). */
function entryOf(d: Descriptor): Descriptor {
  const annotations =
    d.annotations !== null && typeof d.annotations === 'object' && !Array.isArray(d.annotations)
      ? Object.fromEntries(Object.entries(d.annotations).filter(([, v]) => typeof v === 'string'))
      : undefined;
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(typeof d.artifactType === 'string' ? { artifactType: d.artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** Keeps a manifest fetched through a cache repository in its referrers index when it has a `subject`. */
export async function indexCachedReferrer(
  deps: DockerDeps,
  repo: RepositoryRecord,
  image: string,
  info: ManifestInfo | null,
  digest: string,
  size: number,
): Promise<void> {
  if (info?.subject === undefined) return;
  await deps.kv.referrers.put(
    `${repo.name}/${image}/${info.subject.digest}/${digest}`,
    referrerEntry(info, digest, size),
  );
}

/**
 * Copies upstream's referrers of `digest` (`GET /v2/<image>/referrers/<digest>`, first page) into the
 * cache repository's referrers index, which then answers the listing, also while upstream is down.
 * Upstream descriptors that are not valid are skipped; an upstream without the referrers API (404),
 * failing or unreachable adds nothing. Referrers deleted upstream stay listed here (cache semantics:
 * what was seen stays available). Like tags, a listing is asked upstream at most once per
 * `cache_ttl_secs` (0: every time); concurrent listings of one digest share one upstream request.
 */
export function refreshCacheReferrers(
  deps: DockerDeps,
  repo: RepositoryRecord,
  image: string,
  digest: string,
): Promise<void> {
  const key = `r ${repo.name}/${image}/${digest}`;
  const ttl = (repo.cache_ttl_secs ?? 0) * 1000;
  const refreshedAt = deps.referrersRefreshed;
  const last = refreshedAt.get(key);
  if (ttl > 0 && last !== undefined && deps.now() - last < ttl) return Promise.resolve();
  return singleFlight(deps.flights, key, async () => {
    if (refreshedAt.size >= MAX_FRESH) refreshedAt.clear();
    refreshedAt.set(key, deps.now());
    try {
      const res = await deps.upstream.request(repo, `/v2/${upstreamImage(repo, image)}/referrers/${digest}`, {
        method: 'GET',
        headers: { Accept: OCI_INDEX },
      });
      if (!res.ok || res.body === null) {
        await res.body?.cancel();
        return;
      }
      const index = JSON.parse(new TextDecoder().decode(await readAll(res.body, MAX_REFERRERS_BYTES))) as {
        manifests?: unknown;
      };
      if (!Array.isArray(index.manifests)) return;
      const writes: Promise<unknown>[] = [];
      for (const [i, raw] of index.manifests.entries()) {
        let d: Descriptor;
        try {
          d = descriptor(raw, `manifests[${i}]`);
        } catch {
          continue;
        }
        if (!Number.isSafeInteger(d.size) || d.size < 0) continue;
        writes.push(deps.kv.referrers.put(`${repo.name}/${image}/${digest}/${d.digest}`, entryOf(d)));
      }
      await Promise.all(writes);
    } catch (err) {
      deps.ctx.logger.debug({ repo: repo.name, image, digest, err: String(err) }, 'upstream referrers unavailable');
    }
  });
}
