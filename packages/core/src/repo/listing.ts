import { badRequest } from '../errors/depot-error.js';
import { decodePathCursor, encodePathCursor } from '../internal/path-cursor.js';
import { type ArtifactRecord, artifactId, type DepotRecords } from '../kv/records.js';
import { compareUtf8 } from '../util/compare-utf8.js';
import type { ArtifactPage, BrowseResult } from './engine.js';

/** Default and greatest page size of list and search. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

interface MemberPage {
  readonly artifacts: readonly ArtifactRecord[];
  readonly more: boolean;
}

/** One repository's artifacts under `prefix` with paths after `after`, in UTF-8 byte order of path. */
async function listOne(
  records: DepotRecords,
  repo: string,
  prefix: string,
  after: string | null,
  limit: number,
): Promise<MemberPage> {
  const base = records.artifacts.prefix + artifactId(repo, '');
  // The immediate successor of a key in byte order is the key plus a NUL byte.
  const start = after === null ? undefined : `${base}${after}\u0000`;
  const page = await records.kv.list({ prefix: base + prefix, limit, ...(start === undefined ? {} : { start }) });
  return { artifacts: page.entries.map((e) => records.artifacts.decode(e.value)), more: page.cursor !== null };
}

/** Validates a page size. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1) throw badRequest('limit must be a positive integer');
  return Math.min(limit, MAX_PAGE);
}

/**
 * Lists the artifacts of `repos` under `prefix`, merged by path (k-way; on duplicate paths the
 * earlier repository wins) with one opaque cursor: "after this path" (prototype-inventory §2.1).
 * A single repository is the degenerate case.
 */
export async function mergedList(
  records: DepotRecords,
  repos: readonly string[],
  options: { prefix?: string; cursor?: string; limit?: number },
): Promise<ArtifactPage> {
  const limit = pageLimit(options.limit);
  const prefix = options.prefix ?? '';
  const after = options.cursor === undefined || options.cursor === '' ? null : decodePathCursor(options.cursor);
  const pages = await Promise.all(repos.map((r) => listOne(records, r, prefix, after, limit)));
  const tagged = pages.flatMap((p, member) => p.artifacts.map((artifact) => ({ artifact, member })));
  tagged.sort((a, b) => compareUtf8(a.artifact.path, b.artifact.path) || a.member - b.member);
  const unique: ArtifactRecord[] = [];
  for (const { artifact } of tagged) {
    if (unique[unique.length - 1]?.path !== artifact.path) unique.push(artifact);
  }
  // A member that has more may have returned a short page (e.g. a size-capped backend page): past
  // its last path it may hold entries we have not seen, so nothing after that horizon is safe yet.
  let horizon: string | null = null;
  for (const p of pages) {
    const lastPath = p.artifacts[p.artifacts.length - 1]?.path;
    if (!p.more || lastPath === undefined) continue;
    if (horizon === null || compareUtf8(lastPath, horizon) < 0) horizon = lastPath;
  }
  const h = horizon;
  const safe = h === null ? unique : unique.filter((a) => compareUtf8(a.path, h) <= 0);
  const artifacts = safe.slice(0, limit);
  const more = unique.length > limit || pages.some((p) => p.more);
  const last = artifacts[artifacts.length - 1];
  return { artifacts, cursor: more && last !== undefined ? encodePathCursor(last.path) : null };
}

/**
 * Case-insensitive substring search on paths, over the same merged listing. Scans pages until
 * `limit` matches; the cursor is the last match (or the last path scanned when a scan budget ends).
 */
export async function searchPaths(
  records: DepotRecords,
  repos: readonly string[],
  options: { q: string; cursor?: string; limit?: number },
): Promise<ArtifactPage> {
  const limit = pageLimit(options.limit);
  const needle = options.q.toLowerCase();
  const found: ArtifactRecord[] = [];
  let cursor = options.cursor;
  for (;;) {
    const page = await mergedList(records, repos, { limit: MAX_PAGE, ...(cursor === undefined ? {} : { cursor }) });
    for (const artifact of page.artifacts) {
      if (artifact.internal === true || !artifact.path.toLowerCase().includes(needle)) continue;
      found.push(artifact);
      if (found.length === limit) return { artifacts: found, cursor: encodePathCursor(artifact.path) };
    }
    if (page.cursor === null) return { artifacts: found, cursor: null };
    cursor = page.cursor;
  }
}

/** One directory level under `dir`: sub-directories with aggregates, and the artifacts directly in it. */
export async function browseDir(records: DepotRecords, repos: readonly string[], dir: string): Promise<BrowseResult> {
  const prefix = dir === '' ? '' : `${dir}/`;
  const dirs = new Map<string, { artifact_count: number; total_bytes: number; last_modified_at: string | null }>();
  const artifacts: ArtifactRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await mergedList(records, repos, {
      prefix,
      limit: MAX_PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const artifact of page.artifacts) {
      // Format bookkeeping (an npm packument copy, upload chunks) is not browsable content.
      if (artifact.internal === true) continue;
      const rest = artifact.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        artifacts.push(artifact);
        continue;
      }
      const name = rest.slice(0, slash);
      const agg = dirs.get(name) ?? { artifact_count: 0, total_bytes: 0, last_modified_at: null };
      agg.artifact_count += 1;
      agg.total_bytes += artifact.size;
      if (agg.last_modified_at === null || artifact.updated_at > agg.last_modified_at)
        agg.last_modified_at = artifact.updated_at;
      dirs.set(name, agg);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return { dirs: [...dirs].map(([name, agg]) => ({ name, ...agg })), artifacts };
}
