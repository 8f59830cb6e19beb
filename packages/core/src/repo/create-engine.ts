import { accessDenied } from '../auth/access-denied.js';
import { type Principal, SYSTEM_PRINCIPAL } from '../auth/principal.js';
import type { ByteSource } from '../blob/blob-store.js';
import { badRequest, notAllowed, notFound } from '../errors/depot-error.js';
import { negativeCache } from '../internal/negative-cache.js';
import { singleFlight } from '../internal/single-flight.js';
import { type ArtifactRecord, artifactId, type RepositoryRecord } from '../kv/records.js';
import { noopLogger } from '../logger.js';
import { accessTouch } from './access-touch.js';
import { type CacheOutcome, getCached } from './cache-read.js';
import type {
  ArtifactBody,
  ArtifactRead,
  GetArtifactOptions,
  RepositoryEngine,
  RepositoryEngineOptions,
} from './engine.js';
import type { EngineContext } from './engine-context.js';
import { getHosted, putHosted } from './hosted.js';
import { browseDir, mergedList, searchPaths } from './listing.js';
import { expandMembers, refuseReadOnly, writeTarget } from './members.js';
import { normalizeDecodedPath } from './normalize-path.js';
import { ARTIFACT_CACHE_TTL_MS, REPOSITORY_CACHE_TTL_MS, RecordCache } from './record-cache.js';
import { SmallBlobCache } from './small-blob-cache.js';
import { DEFAULT_UPSTREAM_TIMEOUTS } from './upstream.js';

/** Repository records held in memory at most (a server has tens to hundreds). */
const REPOSITORY_CACHE_ENTRIES = 1024;
/** Hosted artifact records held in memory at most (~1 KiB each). */
const ARTIFACT_CACHE_ENTRIES = 4096;

const utf8 = new TextEncoder();

/** A put body as a byte stream (bytes and strings are one chunk). */
function byteSource(body: ArtifactBody): ByteSource {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const bytes = typeof body === 'string' ? utf8.encode(body) : body;
  return (async function* () {
    yield bytes;
  })();
}

/** Normalizes an engine path argument; the empty path names no artifact. */
function artifactPath(path: string): string {
  const normalized = normalizeDecodedPath(path);
  if (normalized === '') throw badRequest('empty artifact path');
  return normalized;
}

/**
 * Creates the repository engine: hosted, cache and proxy behaviour shared by every format.
 *
 * Cache reads: a fresh local copy (immutable path, or younger than `cache_ttl_secs`) is served
 * as is; otherwise the upstream is asked (conditionally when the copy has validators). Concurrent
 * trips for one (repo, path) are coalesced. A plain GET whose upstream answer has a known length
 * and no digest to verify is streamed to the client while stored (tee); ranges, HEAD and
 * digest-checked paths are stored first and then served from the store, so a client never sees
 * bytes that fail verification. HEAD on a miss therefore fetches and stores the artifact.
 * While teeing, the read is `provisional` (size from Content-Length, empty `blob_id` and hashes;
 * `committed` gives the stored record). `GetArtifactOptions.expected` adds digests a fill must
 * match before it is stored. Upstream waits are bounded by `upstreamTimeouts` (headers, idle body,
 * stalled client).
 * Upstream failures (network, timeouts, 5xx, 429, rejected answers) serve the stale copy when one
 * is held; an upstream 404 serves a held copy as stale (first-seen content stays pinned), answers
 * `null` otherwise and is remembered for min(TTL, 300 s) when the repository has a TTL.
 *
 * Repository records, and artifact records of hosted reads, are held in memory for a few seconds
 * (bounded): writes made through this engine, and {@link RepositoryEngine.invalidateRepository},
 * take effect at once; other instances' changes show within the TTL.
 */
export function createRepositoryEngine(options: RepositoryEngineOptions): RepositoryEngine {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? noopLogger;
  const artifactRecords = new RecordCache<ArtifactRecord>(ARTIFACT_CACHE_TTL_MS, ARTIFACT_CACHE_ENTRIES, now);
  const ctx: EngineContext = {
    records: options.records,
    blobStore: (name) => options.blobStore(name),
    fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    cachePolicy: (format) => options.cachePolicy?.(format),
    logger,
    now,
    touch: accessTouch(options.records, now, logger, (id) => artifactRecords.delete(id)),
    negatives: negativeCache(),
    timeouts: { ...DEFAULT_UPSTREAM_TIMEOUTS, ...options.upstreamTimeouts },
    smallBlobs: new SmallBlobCache(),
    repos: new RecordCache<RepositoryRecord>(REPOSITORY_CACHE_TTL_MS, REPOSITORY_CACHE_ENTRIES, now),
    artifactRecords,
  };
  // A trip stays joinable until its fill commits, so late arrivals read the copy instead of refetching.
  const flights = singleFlight<CacheOutcome>(async (o) => (o.kind === 'fill' ? o.fill.done.catch(() => null) : null));

  // A repository being deleted is held too: it reads as absent until the record is gone.
  const loadRepository = (name: string): Promise<RepositoryRecord | null> => ctx.records.repositories.get(name);
  const lookup = async (name: string): Promise<RepositoryRecord | null> => {
    const repo = ctx.repos.get(name) ?? (await ctx.repos.load(name, loadRepository));
    return repo === null || repo.deleting === true ? null : repo;
  };
  const repository = async (name: string): Promise<RepositoryRecord> => {
    const repo = await lookup(name);
    if (repo === null) throw notFound(`repository ${name} not found`, { repo: name });
    return repo;
  };
  const onMissing = (proxy: string, member: string): void =>
    logger.warn({ proxy, member }, 'proxy member missing; skipped');
  /** The members `reader` may read (all members when `reader` is undefined). */
  const members = (repo: RepositoryRecord, reader?: Principal): Promise<RepositoryRecord[]> =>
    expandMembers(lookup, repo, onMissing, reader);

  const getLeaf = (repo: RepositoryRecord, path: string, opts: GetArtifactOptions): Promise<ArtifactRead | null> =>
    repo.repo_type === 'cache' ? getCached(ctx, flights, repo, path, opts) : getHosted(ctx, repo, path, opts);

  // Every view shares the caches above; `principal` is who the member checks are made for.
  const view = (principal: Principal): RepositoryEngine => ({
    getRepository: repository,
    findRepository: lookup,
    invalidateRepository(name) {
      if (name === undefined) ctx.repos.clear();
      else ctx.repos.delete(name);
      // A repository re-created under an old name must not see the old one's artifact records.
      artifactRecords.clear();
    },
    async put(name, rawPath, body, opts = {}) {
      const path = artifactPath(rawPath);
      const repo = await repository(name);
      if (repo.repo_type === 'cache') throw notAllowed(`repository ${name} is a cache and read-only`);
      const alsoAt = opts.alsoAt?.map((alias) => ({ ...alias, path: artifactPath(alias.path) }));
      const target = await writeTarget(lookup, repo, { principal: principal, action: 'write' });
      return putHosted(ctx, target, path, byteSource(body), alsoAt ? { ...opts, alsoAt } : opts);
    },
    async get(name, rawPath, opts = {}) {
      const path = artifactPath(rawPath);
      const repo = await repository(name);
      if (repo.repo_type !== 'proxy') return getLeaf(repo, path, opts);
      // Members in order, first hit wins; a failing member does not hide a later one (P12).
      let firstError: unknown = null;
      for (const member of await members(repo, principal)) {
        try {
          const read = await getLeaf(member, path, opts);
          if (read !== null) return read;
        } catch (err) {
          firstError ??= err;
          logger.warn({ err, proxy: name, member: member.name }, 'proxy member failed');
        }
      }
      if (firstError !== null) throw firstError;
      return null;
    },
    async stat(name, rawPath) {
      const path = artifactPath(rawPath);
      const repo = await repository(name);
      if (repo.repo_type === 'proxy') return null;
      return ctx.records.artifacts.get(artifactId(repo.name, path));
    },
    async delete(name, rawPath) {
      const path = artifactPath(rawPath);
      const repo = await repository(name);
      const targets = await members(repo);
      // Read-only repositories refuse their callers' deletes; the system's own (drains) still run.
      if (principal !== SYSTEM_PRINCIPAL) for (const target of [repo, ...targets]) refuseReadOnly(target);
      // All or nothing: a member holding the path that the principal may not delete refuses the lot.
      for (const member of repo.repo_type === 'proxy' ? targets : []) {
        if (principal.can('delete', member.name)) continue;
        if ((await ctx.records.artifacts.get(artifactId(member.name, path))) !== null) {
          throw accessDenied(principal, 'delete', repo.name);
        }
      }
      let deleted = false;
      for (const member of targets) {
        const id = artifactId(member.name, path);
        try {
          if (await ctx.records.artifacts.delete(id)) deleted = true;
        } finally {
          artifactRecords.delete(id);
        }
      }
      return deleted;
    },
    async list(name, opts = {}) {
      const repo = await repository(name);
      // Paths are stored without a leading slash; a prefix may be given either way.
      const prefix = opts.prefix?.replace(/^\/+/, '');
      return mergedList(
        ctx.records,
        (await members(repo, principal)).map((m) => m.name),
        { ...opts, ...(prefix === undefined ? {} : { prefix }) },
      );
    },
    async browse(name, prefix) {
      const repo = await repository(name);
      return browseDir(
        ctx.records,
        (await members(repo, principal)).map((m) => m.name),
        normalizeDecodedPath(prefix),
      );
    },
    async search(name, opts) {
      const repo = await repository(name);
      return searchPaths(
        ctx.records,
        (await members(repo, principal)).map((m) => m.name),
        opts,
      );
    },
    async resolveWriteTarget(name, action = 'write') {
      return writeTarget(lookup, await repository(name), { principal: principal, action });
    },
    async resolveMembers(name) {
      return members(await repository(name), principal);
    },
    as: (other) => view(other),
    idle: () => ctx.touch.idle(),
    close: () => ctx.touch.close(),
  });
  return view(SYSTEM_PRINCIPAL);
}
