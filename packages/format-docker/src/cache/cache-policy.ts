import type { CachePolicy, ExpectedContent } from '@depot/core';
import { parseDigest } from '../names.js';
import { parseCacheBlobPath } from '../store/paths.js';
import type { TokenDance } from './upstream.js';
import { upstreamImage } from './upstream-name.js';

const expectedFor = (digest: string): ExpectedContent | undefined => {
  try {
    const d = parseDigest(digest);
    return { [d.algorithm]: d.hex };
  } catch {
    return undefined;
  }
};

/**
 * How the engine fills a Docker cache repository: only blobs (`<image>/_blobs/<digest>`) go
 * through the engine (its single-flight and streaming tee); they map to
 * `<upstream>/v2/<image>/blobs/<digest>`, are immutable and verified against their digest before
 * they are stored, and are fetched through `dance` so upstreams that demand a Bearer token
 * (Docker Hub style) work. Manifests and tags are fetched by the format itself (they need
 * `Accept` negotiation and revalidation by digest).
 */
export const dockerCachePolicy = (dance: TokenDance): CachePolicy => ({
  fetchUpstream: ({ fetch, logger, repo, url, init }) => dance.send(fetch, logger, repo, url, init),
  algorithms: ['sha256'],
  isImmutable: (path) => parseCacheBlobPath(path) !== null,
  upstreamUrl(repo, path) {
    const base = (repo.upstream_url ?? '').replace(/\/+$/, '');
    const blob = parseCacheBlobPath(path);
    if (blob === null) return `${base}/${path}`;
    return `${base}/v2/${upstreamImage(repo, blob.image)}/blobs/${blob.digest}`;
  },
  expectedContent(path) {
    const blob = parseCacheBlobPath(path);
    return blob === null ? undefined : expectedFor(blob.digest);
  },
});
