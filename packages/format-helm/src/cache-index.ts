import { DepotError, discardBody, type RepositoryRecord, readBounded } from '@depot/core';
import type { HelmEnv } from './env.js';
import type { ExternalUrls } from './external-urls.js';
import { contentKey, type IndexDoc, type IndexEntry, parseIndex, sha256Of } from './index-doc.js';
import { UPSTREAM_INDEX_PATH } from './paths.js';

/** `upstream_url` with exactly one trailing slash: what relative chart URLs resolve under. */
export const upstreamBase = (repo: RepositoryRecord): string => `${(repo.upstream_url ?? '').replace(/\/+$/, '')}/`;

/** The Depot path of a chart under the upstream base (`charts/x-1.0.0.tgz`), or `null` when it is not a plain path. */
function pathUnderBase(base: URL, url: URL): string | null {
  if (url.origin !== base.origin || url.search !== '' || url.hash !== '' || !url.pathname.startsWith(base.pathname)) {
    return null;
  }
  let segments: string[];
  try {
    segments = url.pathname.slice(base.pathname.length).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\'))) return null;
  const path = segments.join('/');
  return path.startsWith('_') ? null : path;
}

/**
 * Rewrites an upstream index for Depot: every chart URL (relative or absolute) becomes a Depot
 * path relative to the cache repository, so the client's next request comes through the cache.
 * Charts under the upstream base keep their relative path; others get an external path (see
 * {@link ExternalUrls}). Entries with unusable URLs are dropped.
 */
export function rewriteUpstreamIndex(repo: RepositoryRecord, doc: IndexDoc, external: ExternalUrls): IndexDoc {
  const base = new URL(upstreamBase(repo));
  const indexUrl = new URL('index.yaml', base);
  const entries: Record<string, IndexEntry[]> = {};
  for (const [name, list] of Object.entries(doc.entries)) {
    const kept: IndexEntry[] = [];
    for (const entry of list) {
      let url: URL;
      try {
        url = new URL(entry.urls[0] ?? '', indexUrl);
      } catch {
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      const path = pathUnderBase(base, url) ?? external.register(repo.name, url);
      kept.push({ ...entry, urls: [path] });
    }
    if (kept.length > 0) entries[name] = kept;
  }
  return { apiVersion: doc.apiVersion, entries, ...(doc.generated === undefined ? {} : { generated: doc.generated }) };
}

/**
 * Compares a new upstream index with the charts this cache already holds (downloaded through it):
 * a held chart whose version the upstream now lists with another digest is an integrity event.
 * The held chart stays what is served. Runs once per upstream index content, not per request.
 */
async function reportSwappedCharts(env: HelmEnv, repo: string, doc: IndexDoc): Promise<void> {
  const held = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await env.engine.list(repo, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const a of page.artifacts)
      if (a.internal !== true && a.hashes.sha256 !== undefined) held.set(a.path, a.hashes.sha256);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  if (held.size === 0) return;
  for (const list of Object.values(doc.entries)) {
    for (const entry of list) {
      const path = entry.urls[0];
      const kept = path === undefined ? undefined : held.get(path);
      const announced = sha256Of(entry.digest);
      if (kept === undefined || announced === undefined || kept === announced) continue;
      env.ctx.integrity.report({
        repo,
        subject: `${entry.name} ${entry.version}`,
        pinned: { sha256: kept },
        upstream: { sha256: announced },
      });
    }
  }
}

/**
 * A cache repository's index: the upstream `index.yaml` copy (fetched or revalidated per
 * `cache_ttl_secs` by the engine, served stale when the upstream fails), parsed and rewritten once
 * per content. `null` when the upstream has none.
 */
export async function loadCacheIndex(
  env: HelmEnv,
  repo: RepositoryRecord,
  signal?: AbortSignal,
): Promise<{ doc: IndexDoc; key: string } | null> {
  const read = await env.engine.get(repo.name, UPSTREAM_INDEX_PATH, signal === undefined ? {} : { signal });
  if (read === null) return null;
  const known = read.provisional === true ? '' : read.record.hashes.blake3;
  const memoKey = `cache\u0000${repo.name}\u0000${repo.upstream_url ?? ''}\u0000${known}`;
  const hit = known === '' ? undefined : env.parsed.get(memoKey);
  if (hit !== undefined) {
    await discardBody(read.body);
    return { doc: hit, key: known };
  }
  if (read.body === null) throw new DepotError('UPSTREAM_ERROR', 'upstream index.yaml has no body');
  const bytes = await readBounded(read.body, env.maxUpstreamIndexBytes).catch((err: unknown) => {
    throw new DepotError('UPSTREAM_ERROR', `upstream index.yaml is larger than ${env.maxUpstreamIndexBytes} bytes`, {
      cause: err,
    });
  });
  const doc = rewriteUpstreamIndex(
    repo,
    parseIndex(new TextDecoder().decode(bytes), 'upstream index.yaml'),
    env.external,
  );
  const key = known === '' ? contentKey(bytes) : known;
  await reportSwappedCharts(env, repo.name, doc);
  env.parsed.set(`cache\u0000${repo.name}\u0000${repo.upstream_url ?? ''}\u0000${key}`, doc);
  return { doc, key };
}
