import { type CachePolicy, DepotError, type RepositoryRecord } from '@depot/core';
import { upstreamBase } from './cache-index.js';
import type { ExternalUrls } from './external-urls.js';
import { EXTERNAL_PREFIX, isChartPath, UPSTREAM_INDEX_PATH } from './paths.js';

/** Encodes one decoded path segment for a URL. */
const encodeSegment = (segment: string): string => encodeURI(segment).replace(/[?#]/g, encodeURIComponent);

/**
 * How cache repositories treat a Helm upstream: `index.yaml` is mutable (revalidated per
 * `cache_ttl_secs`, kept as an internal copy, served stale when the upstream fails); charts and
 * provenance files are immutable, fetched on first download and verified against the index's
 * digest (the chart route passes it). Charts on other hosts are fetched without the upstream's
 * credentials.
 */
export function helmCachePolicy(external: ExternalUrls): CachePolicy {
  return {
    isImmutable: (path) => path !== UPSTREAM_INDEX_PATH,
    isInternal: (path) => path === UPSTREAM_INDEX_PATH,
    upstreamUrl(repo: RepositoryRecord, path: string): string {
      if (repo.upstream_url === undefined || repo.upstream_url === '') {
        throw new DepotError('BAD_REQUEST', `cache repository ${repo.name} has no upstream_url`);
      }
      if (path === UPSTREAM_INDEX_PATH) return `${upstreamBase(repo)}index.yaml`;
      if (path.startsWith(EXTERNAL_PREFIX)) return external.resolve(repo, path);
      return `${upstreamBase(repo)}${path.split('/').map(encodeSegment).join('/')}`;
    },
    validateResponse(path: string, status: number, headers: Headers): void {
      if (status !== 200) return;
      if (isChartPath(path) && (headers.get('content-type') ?? '').includes('text/html')) {
        throw new DepotError('UPSTREAM_ERROR', 'upstream answered a chart with HTML');
      }
    },
    algorithms: ['sha256'],
  };
}
