import { DepotError, isDepotError, type RepositoryRecord } from '@depot/core';
import { digestOf, once, readAll } from '../bytes.js';
import { type DockerDeps, MAX_MANIFEST_BYTES, singleFlight } from '../deps.js';
import { ociError } from '../errors.js';
import { type ManifestInfo, parseManifest } from '../manifest-doc.js';
import { bareType, MANIFEST_TYPES } from '../media-types.js';
import { looksLikeDigest, parseDigest } from '../names.js';
import type { ManifestHit } from '../store/hosted.js';
import type { CachedManifest } from '../store/kv.js';
import { indexCachedReferrer } from './cache-referrers.js';
import { upstreamImage } from './upstream-name.js';

const ACCEPT = MANIFEST_TYPES.join(', ');
/** Most bytes of an upstream tag list read (~400k tags); a larger one is skipped, like an unreachable one. */
const MAX_UPSTREAM_TAGS_BYTES = 8 * 1024 * 1024;

const toHit = (m: CachedManifest, headOnly: boolean): ManifestHit => {
  const bytes = Buffer.from(m.body, 'base64');
  return { digest: m.digest, mediaType: m.mediaType, size: bytes.byteLength, body: headOnly ? null : once(bytes) };
};

/** Throws the error for an upstream answer that is neither success nor "not found". */
function upstreamFailure(status: number): DepotError {
  if (status === 429) return ociError('TOOMANYREQUESTS', 'upstream rate limit');
  return new DepotError('UPSTREAM_ERROR', `upstream answered ${status}`);
}

/** What a fetched manifest says of itself, when Depot can read it (it is served verbatim either way). */
function parsedOrNull(bytes: Uint8Array, mediaType: string): ManifestInfo | null {
  try {
    return parseManifest(bytes, mediaType);
  } catch {
    return null;
  }
}

/** Fetches a manifest upstream, verifies it and stores it; `null` when upstream does not have it. */
async function fetchManifest(
  deps: DockerDeps,
  repo: RepositoryRecord,
  image: string,
  ref: string,
): Promise<CachedManifest | null> {
  const path = `/v2/${upstreamImage(repo, image)}/manifests/${ref}`;
  const res = await deps.upstream.request(repo, path, { method: 'GET', headers: { Accept: ACCEPT } });
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw upstreamFailure(res.status);
  }
  const bytes = await readAll(res.body, MAX_MANIFEST_BYTES);
  const claimed = res.headers.get('docker-content-digest');
  const algorithm = looksLikeDigest(ref) ? parseDigest(ref).algorithm : 'sha256';
  const digest = digestOf(bytes, algorithm);
  // Digests are verified before anything is stored: the reference's, else the upstream's claim.
  const want = looksLikeDigest(ref) ? ref : claimed?.startsWith(`${algorithm}:`) ? claimed : digest;
  if (want !== digest) throw new DepotError('UPSTREAM_ERROR', 'upstream manifest does not match its digest');
  const mediaType = bareType(res.headers.get('content-type') ?? '') || 'application/vnd.oci.image.manifest.v1+json';
  const record: CachedManifest = { mediaType, digest, body: Buffer.from(bytes).toString('base64') };
  const at = new Date(deps.now()).toISOString();
  await deps.kv.cacheManifests.put(`${repo.name}/${image}/${digest}`, record);
  await indexCachedReferrer(deps, repo, image, parsedOrNull(bytes, mediaType), digest, bytes.byteLength);
  if (!looksLikeDigest(ref)) await deps.kv.cacheTags.put(`${repo.name}/${image}/${ref}`, { digest, fetched_at: at });
  if ((await deps.kv.images.get(`${repo.name}/${image}`)) === null)
    await deps.kv.images.put(`${repo.name}/${image}`, { created_at: at });
  return record;
}

/** Asks upstream (HEAD) whether a tag still points at `digest`; `null` when it cannot tell. */
async function upstreamTagDigest(
  deps: DockerDeps,
  repo: RepositoryRecord,
  image: string,
  tag: string,
): Promise<string | null> {
  const path = `/v2/${upstreamImage(repo, image)}/manifests/${tag}`;
  const res = await deps.upstream.request(repo, path, { method: 'HEAD', headers: { Accept: ACCEPT } });
  await res.body?.cancel();
  if (res.status === 404) return '';
  if (!res.ok) throw upstreamFailure(res.status);
  return res.headers.get('docker-content-digest');
}

/**
 * A manifest of a cache repository. Digests are immutable: fetched once, never revalidated. Tags
 * are fresh for `cache_ttl_secs` (0 = a conditional HEAD upstream on every pull); on upstream
 * failure or 429 the stale copy is served.
 */
export async function cacheManifest(
  deps: DockerDeps,
  repo: RepositoryRecord,
  image: string,
  ref: string,
  headOnly: boolean,
): Promise<ManifestHit | null> {
  const key = `${repo.name}/${image}/${ref}`;
  if (looksLikeDigest(ref)) {
    const local = await deps.kv.cacheManifests.get(key);
    if (local !== null) return toHit(local, headOnly);
    const fetched = await singleFlight(deps.flights, `m ${key}`, () => fetchManifest(deps, repo, image, ref));
    return fetched === null ? null : toHit(fetched, headOnly);
  }
  const tag = await deps.kv.cacheTags.get(key);
  const local = tag === null ? null : await deps.kv.cacheManifests.get(`${repo.name}/${image}/${tag.digest}`);
  const ttl = (repo.cache_ttl_secs ?? 0) * 1000;
  if (tag !== null && local !== null && ttl > 0 && deps.now() - Date.parse(tag.fetched_at) < ttl)
    return toHit(local, headOnly);
  try {
    if (tag !== null && local !== null) {
      const current = await upstreamTagDigest(deps, repo, image, ref);
      if (current === tag.digest) {
        await deps.kv.cacheTags.put(key, { digest: tag.digest, fetched_at: new Date(deps.now()).toISOString() });
        return toHit(local, headOnly);
      }
      if (current === '') return null;
    }
    const fetched = await singleFlight(deps.flights, `m ${key}`, () => fetchManifest(deps, repo, image, ref));
    return fetched === null ? null : toHit(fetched, headOnly);
  } catch (err) {
    if (local === null || (isDepotError(err) && err.code === 'DIGEST_MISMATCH')) throw err;
    deps.ctx.logger.warn({ repo: repo.name, image, tag: ref, err: String(err) }, 'serving stale docker manifest');
    return toHit(local, headOnly);
  }
}

/** Tags of an image in a cache repository: the cached ones plus upstream's (when reachable). */
export async function cacheTags(deps: DockerDeps, repo: RepositoryRecord, image: string): Promise<string[]> {
  const tags = new Set<string>();
  for await (const { id } of deps.kv.cacheTags.scan({ prefix: `${repo.name}/${image}/` })) {
    const tag = id.slice(`${repo.name}/${image}/`.length);
    if (!tag.includes('/')) tags.add(tag);
  }
  try {
    const res = await deps.upstream.request(repo, `/v2/${upstreamImage(repo, image)}/tags/list?n=10000`, {
      method: 'GET',
    });
    if (res.ok && res.body !== null) {
      const body = JSON.parse(new TextDecoder().decode(await readAll(res.body, MAX_UPSTREAM_TAGS_BYTES))) as {
        tags?: unknown;
      };
      if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === 'string') tags.add(t);
    } else await res.body?.cancel();
  } catch (err) {
    deps.ctx.logger.debug({ repo: repo.name, err: String(err) }, 'upstream tag list unavailable');
  }
  return [...tags];
}
