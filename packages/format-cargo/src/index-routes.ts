import { createHash } from 'node:crypto';
import {
  type FormatRequest,
  type FormatResponse,
  ifNoneMatchHits,
  isDepotError,
  notFound,
  type RepositoryRecord,
  upstreamSignal,
} from '@depot/core';
import { cachedVersions } from './cache.js';
import type { CargoEnv } from './env.js';
import { jsonResponse } from './errors.js';
import { indexPath, nameOfIndexPath } from './names.js';
import { type IndexEntry, renderIndexFile } from './records.js';

/**
 * `index/config.json`: absolute `dl` and `api` URLs from the external base URL. `auth-required`
 * is true for a caller that had to authenticate: cargo asks anonymously first, and only a
 * repository anonymous cannot read makes it come back with its token.
 */
export function getConfig(req: FormatRequest): FormatResponse {
  const base = `${req.baseUrl}/repository/${encodeURIComponent(req.repo.name)}`;
  return jsonResponse(200, {
    dl: `${base}/api/v1/crates`,
    api: base,
    'auth-required': req.principal.anonymous !== true,
  });
}

/**
 * The versions of `name` in `repo` as the caller sees them: a hosted repository's own, a cache's
 * upstream index (revalidated per TTL), a proxy's members' in member order — the first member
 * listing a version winning it; a proxy skips a cache member whose upstream fails. `null` when
 * none has the crate.
 */
export async function versionsOf(
  env: CargoEnv,
  repo: RepositoryRecord,
  name: string,
  signal?: AbortSignal,
): Promise<IndexEntry[] | null> {
  if (repo.repo_type !== 'proxy') return memberVersions(env, repo, name, signal);
  const seen = new Set<string>();
  const out: IndexEntry[] = [];
  let any = false;
  for (const member of await env.engine.resolveMembers(repo.name)) {
    let entries: IndexEntry[] | null;
    try {
      entries = await memberVersions(env, member, name, signal);
    } catch (err) {
      if (!isDepotError(err, 'UPSTREAM_ERROR')) throw err;
      env.ctx.logger.warn(
        { repo: repo.name, member: member.name },
        'cargo proxy member upstream failed; using the others',
      );
      continue;
    }
    if (entries === null) continue;
    any = true;
    for (const entry of entries) {
      if (seen.has(entry.vers)) continue;
      seen.add(entry.vers);
      out.push(entry);
    }
  }
  return any ? out : null;
}

async function memberVersions(
  env: CargoEnv,
  repo: RepositoryRecord,
  name: string,
  signal: AbortSignal | undefined,
): Promise<IndexEntry[] | null> {
  if (repo.repo_type === 'cache')
    return cachedVersions(env.engine, repo, indexPath(name), env.ctx.integrity, env.ctx.now(), signal);
  if (repo.repo_type !== 'hosted') return null;
  return (await env.crates.get(repo.name, name))?.versions.slice() ?? null;
}

/** An index file as served: its text and strong ETag. */
export interface RenderedIndex {
  readonly body: string;
  readonly etag: string;
  /** When the crate last changed (hosted only), as an HTTP date. */
  readonly lastModified?: string;
}

const render = (entries: readonly IndexEntry[], changed?: string): RenderedIndex => {
  const body = renderIndexFile(entries);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  const at = changed === undefined ? Number.NaN : Date.parse(changed);
  return Number.isFinite(at) ? { body, etag, lastModified: new Date(at).toUTCString() } : { body, etag };
};

/** Whether the client's copy is current: its ETag matches, or (without one) nothing changed since its date. */
function notModified(req: FormatRequest, rendered: RenderedIndex): boolean {
  const tags = req.headers['if-none-match'];
  if (tags !== undefined) return ifNoneMatchHits(tags, rendered.etag);
  const since = req.headers['if-modified-since'];
  if (since === undefined || rendered.lastModified === undefined) return false;
  const sinceMs = Date.parse(since);
  return Number.isFinite(sinceMs) && Date.parse(rendered.lastModified) <= sinceMs;
}

/** Hosted index files by crate, kept while the crate record's version is unchanged. */
export type RenderedIndexes = Map<string, { readonly version: string; readonly rendered: RenderedIndex }>;
const MAX_HELD = 4096;

async function hostedIndex(env: CargoEnv, repo: string, name: string): Promise<RenderedIndex | null> {
  const found = await env.crates.getVersioned(repo, name);
  if (found === null || found.record.versions.length === 0) return null;
  const key = `${repo}\u0000${name}`;
  const held = env.rendered.get(key);
  if (held?.version === found.version && found.record.name.toLowerCase() === name) return held.rendered;
  if (found.record.name.toLowerCase() !== name) return null;
  const rendered = render(found.record.versions, found.record.updated_at);
  if (env.rendered.size >= MAX_HELD) env.rendered.clear();
  env.rendered.set(key, { version: found.version, rendered });
  return rendered;
}

/**
 * `index/{1,2,3/c,ab/cd}/{name}`: the crate's index file, with a strong ETag and (hosted) its
 * Last-Modified; 304 when `If-None-Match` matches or, without it, `If-Modified-Since` is not older.
 */
export async function getIndexFile(env: CargoEnv, req: FormatRequest, path: string): Promise<FormatResponse> {
  const name = nameOfIndexPath(path);
  if (name === null) throw notFound(`no such index path: ${path.slice(0, 200)}`);
  let rendered: RenderedIndex | null;
  if (req.repo.repo_type === 'hosted') {
    rendered = await hostedIndex(env, req.repo.name, name);
  } else {
    const entries = await versionsOf(env, req.repo, name, upstreamSignal(req));
    // A crate published as `Foo_Bar` lives at `foo_bar`; `foo-bar` is another crate's path.
    rendered =
      entries === null || entries.length === 0 || entries[0]?.name.toLowerCase() !== name ? null : render(entries);
  }
  if (rendered === null) throw notFound(`no crate ${name}`);
  const { body, etag, lastModified } = rendered;
  const validators: Record<string, string> =
    lastModified === undefined ? { etag } : { etag, 'last-modified': lastModified };
  if (notModified(req, rendered)) return { status: 304, headers: validators };
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', ...validators },
    body,
  };
}
