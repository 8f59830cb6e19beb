import { DepotError, isDepotError } from '../errors/depot-error.js';
import type { ExpectedContent } from '../ingest/expected-content.js';
import type { SingleFlight } from '../internal/single-flight.js';
import { type ArtifactRecord, artifactId, type RepositoryRecord } from '../kv/records.js';
import { type CacheFill, canTee, fillExpectations, startFill } from './cache-fill.js';
import type { ArtifactRead, CachePolicy, GetArtifactOptions } from './engine.js';
import { type EngineContext, isoNow } from './engine-context.js';
import { openLocal } from './local-read.js';
import { askUpstream } from './upstream.js';

/** What one (single-flighted) trip upstream decided. */
export type CacheOutcome =
  | { readonly kind: 'missing' }
  | { readonly kind: 'serve'; readonly record: ArtifactRecord; readonly source: 'local' | 'stale' }
  | { readonly kind: 'fill'; readonly fill: CacheFill; readonly stale: ArtifactRecord | null }
  | { readonly kind: 'error'; readonly error: DepotError };

/** Whether a cached copy may be served without asking upstream. */
function isFresh(
  ctx: EngineContext,
  repo: RepositoryRecord,
  policy: CachePolicy,
  path: string,
  local: ArtifactRecord,
): boolean {
  if (policy.isImmutable?.(path) === true) return true;
  // cache_ttl_secs 0 (the default) revalidates on every access; the prototype's "0 = never
  // expires" is the documented gap we do not copy. Metadata (the format's internal documents) and
  // other content may have different TTLs.
  const metadata = policy.isInternal?.(path) === true;
  const ttl = (metadata ? undefined : repo.content_ttl_secs) ?? repo.cache_ttl_secs ?? 0;
  if (ttl <= 0) return false;
  const fetched = Date.parse(local.fetched_at ?? local.updated_at);
  return Number.isFinite(fetched) && ctx.now() - fetched < ttl * 1000;
}

/** Records a successful revalidation (304): new `fetched_at`, validators refreshed. Best effort. */
async function markRevalidated(ctx: EngineContext, local: ArtifactRecord, response: Response): Promise<ArtifactRecord> {
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  const next: ArtifactRecord = {
    ...local,
    fetched_at: isoNow(ctx),
    ...(etag === null ? {} : { upstream_etag: etag }),
    ...(lastModified === null ? {} : { upstream_last_modified: lastModified }),
  };
  const id = artifactId(local.repo, local.path);
  try {
    const current = await ctx.records.artifacts.getVersioned(id);
    if (current !== null && current.record.blob_id === local.blob_id) {
      await ctx.records.artifacts.putIfVersion(id, next, current.version);
    }
  } catch (err) {
    if (!isDepotError(err, 'CONFLICT')) ctx.logger.warn({ err, repo: local.repo }, 'revalidation bookkeeping failed');
  }
  return next;
}

/** What the leader of a trip asked for. */
interface TripOptions {
  readonly wantTee: boolean;
  readonly expected: ExpectedContent | undefined;
}

/** The upstream failed (or was refused): the stale copy when one is held, else the error. */
function failed(ctx: EngineContext, repo: RepositoryRecord, local: ArtifactRecord | null, error: DepotError) {
  ctx.logger.warn({ err: error, repo: repo.name, stale: local !== null }, 'upstream failed');
  return local === null
    ? ({ kind: 'error', error } as const)
    : ({ kind: 'serve', record: local, source: 'stale' } as const);
}

/** One trip upstream for (repo, path): run by the single-flight leader only. */
export async function refreshFromUpstream(
  ctx: EngineContext,
  repo: RepositoryRecord,
  path: string,
  policy: CachePolicy,
  local: ArtifactRecord | null,
  trip: TripOptions,
): Promise<CacheOutcome> {
  const answer = await askUpstream(ctx, repo, path, policy, local);
  switch (answer.kind) {
    case 'not-modified':
      return {
        kind: 'serve',
        record: await markRevalidated(ctx, local as ArtifactRecord, answer.response),
        source: 'local',
      };
    case 'not-found': {
      // Gone upstream but held here: keep serving the first-seen copy (RELIABILITY.md P5).
      if (local !== null) return { kind: 'serve', record: local, source: 'stale' };
      const ttl = repo.negative_cache_ttl_secs ?? 0;
      if (ttl > 0) ctx.negatives.add(artifactId(repo.name, path), ctx.now() + ttl * 1000);
      return { kind: 'missing' };
    }
    case 'failed':
      return failed(ctx, repo, local, answer.error);
    case 'ok': {
      let expected: ExpectedContent | undefined;
      try {
        expected = fillExpectations(policy, path, answer.response.headers, trip.expected);
      } catch (err) {
        // The answer contradicts what it must match (e.g. its Content-Length): never stored.
        answer.response.body?.cancel().catch(() => undefined);
        if (!isDepotError(err)) throw err;
        return failed(ctx, repo, local, err);
      }
      const tee = trip.wantTee && canTee(expected);
      return {
        kind: 'fill',
        fill: startFill(ctx, repo, path, policy, answer.response, { expected, tee }),
        stale: local,
      };
    }
  }
}

/** Serves a committed record, failing loudly if its blob is missing. */
async function serve(
  ctx: EngineContext,
  repo: RepositoryRecord,
  record: ArtifactRecord,
  options: GetArtifactOptions,
  source: ArtifactRead['source'],
): Promise<ArtifactRead> {
  const read = await openLocal(ctx, repo, record, options, source);
  if (read === null) {
    throw new DepotError('DATA_INTEGRITY_ERROR', 'cached artifact points at a missing blob', {
      details: { repo: repo.name, path: record.path },
    });
  }
  return read;
}

/**
 * Turns a trip's outcome into this caller's read. The leader of a tee-able fill gets the live
 * stream; everybody else waits for the commit and reads the stored copy (or the stale one when
 * the fill failed).
 */
export async function readOutcome(
  ctx: EngineContext,
  repo: RepositoryRecord,
  outcome: CacheOutcome,
  options: GetArtifactOptions,
  leader: boolean,
): Promise<ArtifactRead | null> {
  switch (outcome.kind) {
    case 'missing':
      return null;
    case 'error':
      throw outcome.error;
    case 'serve':
      return serve(ctx, repo, outcome.record, options, outcome.source);
    case 'fill': {
      const { fill, stale } = outcome;
      if (leader && fill.client !== null) {
        // Nobody may be waiting on `committed`: a failed copy is reported through the body instead.
        fill.done.catch(() => undefined);
        return {
          record: fill.provisional,
          repo: repo.name,
          body: fill.client,
          source: 'upstream',
          provisional: true,
          committed: fill.done,
        };
      }
      let committed: ArtifactRecord;
      try {
        committed = await fill.done;
      } catch (err) {
        if (stale === null) throw err;
        return serve(ctx, repo, stale, options, 'stale');
      }
      return serve(ctx, repo, committed, options, 'upstream');
    }
  }
}

/** A stable text form of `expected`, for single-flight keys. */
function expectationKey(expected: ExpectedContent): string {
  return (['size', 'sha256', 'sha512', 'sha1', 'md5', 'blake3'] as const)
    .map((k) => `${k}=${String(expected[k] ?? '').toLowerCase()}`)
    .join(';');
}

/**
 * A read from a cache repository: the local copy when fresh, else one coalesced trip upstream
 * (revalidation when a copy is held). A copy whose blob vanished is refetched as a miss.
 */
export async function getCached(
  ctx: EngineContext,
  flights: SingleFlight<CacheOutcome>,
  repo: RepositoryRecord,
  path: string,
  options: GetArtifactOptions,
): Promise<ArtifactRead | null> {
  const policy = ctx.cachePolicy(repo.format) ?? {};
  const id = artifactId(repo.name, path);
  let local = await ctx.records.artifacts.get(id);
  if (local !== null && isFresh(ctx, repo, policy, path, local)) {
    const read = await openLocal(ctx, repo, local, options, 'local');
    if (read !== null) return read;
    local = null; // the blob vanished: refetch as a miss
  } else if (local !== null && (await (await ctx.blobStore(local.store)).head(local.blob_id)) === null) {
    local = null; // no bytes to revalidate or to serve stale: fetch unconditionally
  }
  if (local === null && ctx.negatives.has(id, ctx.now())) return null;
  const held = local;
  const trip: TripOptions = {
    wantTee: options.headOnly !== true && options.range === undefined,
    expected: options.expected,
  };
  // Reads that expect different content never share a trip: each fill is verified against what
  // its own caller expects (a read with expectations must not be handed a copy nobody verified,
  // and a read without them must not fail because of someone else's).
  const key = options.expected === undefined ? id : `${id}\u0000${expectationKey(options.expected)}`;
  const { promise, leader } = flights.run(key, () => refreshFromUpstream(ctx, repo, path, policy, held, trip));
  return readOutcome(ctx, repo, await promise, options, leader);
}
