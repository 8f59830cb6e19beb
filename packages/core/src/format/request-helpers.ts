import type { RepoAction } from '../auth/principal.js';
import { discardBody } from '../blob/blob-store.js';
import { notAllowed } from '../errors/depot-error.js';
import type { RepositoryRecord } from '../kv/records.js';
import type { ArtifactRead } from '../repo/engine.js';
import type { BaseFormatRequest, FormatRequest, FormatResponse } from './format.js';

/**
 * The hosted repository a write to `req.repo` lands in: the repository itself when hosted, a
 * proxy's write member otherwise (the caller's engine refuses when the caller lacks `action` on
 * it). Cache repositories, and proxies without a hosted write member, refuse `NOT_ALLOWED`.
 */
export async function requestWriteTarget(req: FormatRequest, action: RepoAction = 'write'): Promise<RepositoryRecord> {
  if (req.repo.repo_type === 'cache') throw notAllowed('cache repositories are read-only');
  if (req.repo.repo_type === 'hosted') return req.repo;
  const target = await req.engine.resolveWriteTarget(req.repo.name, action);
  if (target.repo_type !== 'hosted') throw notAllowed('this proxy has no hosted write member');
  return target;
}

/**
 * Whether reading `path` through `req.repo` would fetch it from a cache member's upstream: no
 * member ahead of the first cache member (among those the caller may read) holds it already. A
 * format loads the digest its index announces (the expectation of the fill) only then.
 */
export async function fillsFromUpstream(req: FormatRequest, path: string): Promise<boolean> {
  if (req.repo.repo_type === 'hosted') return false;
  for (const member of await req.engine.resolveMembers(req.repo.name)) {
    if ((await req.engine.stat(member.name, path)) !== null) return false;
    if (member.repo_type === 'cache') return true;
  }
  return false;
}

/**
 * The answer for a stored artifact that never changes under its path (a tarball, a wheel, a
 * chart): `headers` plus `content-length`, a strong ETag from its BLAKE3 — none on a provisional
 * read, which is still being stored — and 304 (the body discarded) on a matching `If-None-Match`.
 */
export async function immutableArtifactResponse(
  req: BaseFormatRequest,
  read: ArtifactRead,
  headers: Readonly<Record<string, string>>,
): Promise<FormatResponse> {
  const sized = { ...headers, 'content-length': String(read.record.size) };
  if (read.provisional === true) return { status: 200, headers: sized, body: read.body };
  const etag = `"${read.record.hashes.blake3}"`;
  if (req.headers['if-none-match'] === etag) {
    await discardBody(read.body);
    return { status: 304, headers: { etag } };
  }
  return { status: 200, headers: { ...sized, etag }, body: read.body };
}

/**
 * The signal a read passes on: the request's own (aborted when the client goes away) for cache and
 * proxy repositories, whose reads may wait on an upstream; `undefined` for hosted ones, which never
 * do — so a hosted read does not pay for creating it.
 */
export function upstreamSignal(req: FormatRequest): AbortSignal | undefined {
  return req.repo.repo_type === 'hosted' ? undefined : req.signal;
}

/**
 * Whether an `If-None-Match` header names `etag`: a list, weak comparison (`W/"x"` matches
 * `"x"`), or `*`. `false` without the header.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

const JSON_HEADERS = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' } as const;

/** A JSON response (`nosniff`), with `headers` added. */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): FormatResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}
