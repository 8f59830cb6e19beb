import { classifyHost, DepotError, notFound, type RepositoryRecord } from '@depot/core';
import { contentKey } from './index-doc.js';
import { EXTERNAL_PREFIX, PROV_SUFFIX } from './paths.js';

/**
 * Chart URLs of a cache's upstream index that point outside the upstream (`https://github.com/…`,
 * another host): each gets a Depot path `_helm/ext/{key}/{file}`, and only URLs learned from the
 * upstream's own index are ever fetched under those paths, so a client cannot make Depot fetch an
 * arbitrary URL. The map is filled whenever the index is parsed (every chart download parses, or
 * reuses, the index first).
 */
export interface ExternalUrls {
  /** The Depot path for an absolute upstream URL; remembers the pairing. */
  register(repo: string, url: URL): string;
  /** The upstream URL of an external path (or its `.prov`), `NOT_FOUND` when not learned from the index. */
  resolve(repo: RepositoryRecord, path: string): string;
}

const safeFile = (url: URL): string => {
  const last = decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'chart.tgz';
  return last.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^[._]+/, '') || 'chart.tgz';
};

/** True when Depot may fetch `url` for `repo`: the upstream's own host, a listed redirect host, or a public address. */
export function externalHostAllowed(repo: RepositoryRecord, url: URL): boolean {
  const upstream = repo.upstream_url === undefined ? null : new URL(repo.upstream_url);
  if (upstream !== null && upstream.hostname === url.hostname) return true;
  const listed = (repo.upstream_redirect_hosts ?? []).map((h) => h.toLowerCase());
  if (listed.includes(url.hostname) || listed.includes(url.host)) return true;
  if (listed.some((h) => h.startsWith('*.') && url.hostname.endsWith(h.slice(1)))) return true;
  const cls = classifyHost(url.hostname);
  return cls === 'public' || cls === 'name';
}

/** Creates the in-process map of external chart URLs. */
export function externalUrls(): ExternalUrls {
  const byRepo = new Map<string, Map<string, string>>();
  return {
    register(repo, url) {
      const path = `${EXTERNAL_PREFIX}${contentKey(url.href)}/${safeFile(url)}`;
      let paths = byRepo.get(repo);
      if (paths === undefined) {
        paths = new Map();
        byRepo.set(repo, paths);
      }
      paths.set(path, url.href);
      return path;
    },
    resolve(repo, path) {
      const prov = path.endsWith(PROV_SUFFIX);
      const chart = prov ? path.slice(0, -PROV_SUFFIX.length) : path;
      const href = byRepo.get(repo.name)?.get(chart);
      if (href === undefined) throw notFound(`${path} is not listed in the upstream index`);
      const url = new URL(prov ? `${href}${PROV_SUFFIX}` : href);
      if (!externalHostAllowed(repo, url)) {
        throw new DepotError('UPSTREAM_ERROR', `upstream index points at a non-public address (${url.hostname})`);
      }
      return url.href;
    },
  };
}
