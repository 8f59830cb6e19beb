import type { Principal, RepoAction } from '../auth/principal.js';
import type { ByteRange, ByteSource } from '../blob/blob-store.js';
import type { ExpectedContent } from '../ingest/expected-content.js';
import type { ArtifactRecord, ContentHashes, ExtraHashAlgorithm, RepositoryRecord } from '../kv/records.js';

/** Greatest nesting of proxy repositories; deeper (or cyclic) member lists are configuration errors. */
export const MAX_PROXY_DEPTH = 8;

/** Options for {@link RepositoryEngine.put}. */
export interface PutArtifactOptions {
  /** Stored as given; when absent the engine guesses from the path's extension. */
  readonly contentType?: string;
  /** Hashes to compute besides BLAKE3. */
  readonly algorithms?: readonly ExtraHashAlgorithm[];
  readonly expected?: ExpectedContent;
  /** Bytes allowed; more is `PAYLOAD_TOO_LARGE` and stores nothing. */
  readonly maxBytes?: number;
  readonly sizeHint?: number;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly internal?: boolean;
  /** `false`: an existing artifact at the path is `CONFLICT` (immutable versions). Default true. */
  readonly overwrite?: boolean;
  readonly signal?: AbortSignal;
  /**
   * More paths of the same repository that get the same content (blob, hashes, content type) with
   * their own `meta`: one ingest for bytes stored under several names, such as a manifest and its
   * tag. They are written after the main record, in order, always overwriting, so a crash between
   * writes leaves a prefix of them and never an alias without its main record.
   */
  readonly alsoAt?: readonly ArtifactAlias[];
}

/** A further path of {@link PutArtifactOptions.alsoAt}. */
export interface ArtifactAlias {
  readonly path: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Options for {@link RepositoryEngine.get}. */
export interface GetArtifactOptions {
  readonly range?: ByteRange;
  /** Metadata only: no body is opened (HEAD). Cache repos may still revalidate. */
  readonly headOnly?: boolean;
  readonly signal?: AbortSignal;
  /**
   * What a cache fill triggered by this read must match (e.g. an npm tarball's `dist.integrity`),
   * on top of the cache policy's `expectedContent`. Checked before anything is stored: on a mismatch
   * nothing is committed and the read fails with `DIGEST_MISMATCH`. Reads of copies already held
   * (hosted members, fresh cache hits) are not re-verified. Digests are hex.
   */
  readonly expected?: ExpectedContent;
}

/** Where a read was answered from. */
export type ReadSource = 'local' | 'upstream' | 'stale';

/**
 * A successful read. `body` is `null` for `headOnly` reads.
 *
 * A cache miss may be streamed to the caller while it is being stored: the read is then
 * `provisional`. Its `record.size` and `content_type` are final (the size is enforced against
 * Content-Length), but `blob_id` and every hash are unknown (empty strings) until the body has been
 * consumed and the copy committed. Formats must not send hash-based validators (ETag from a hash,
 * checksum headers) for a provisional read; `committed` resolves with the stored record once the
 * body has ended (and rejects, with the body erroring too, when the copy fails verification).
 */
export interface ArtifactRead {
  readonly record: ArtifactRecord;
  /** The repository that held the artifact (a member, when read through a proxy). */
  readonly repo: string;
  readonly body: ByteSource | null;
  /** The range served, when one was asked for and satisfiable. */
  readonly range?: ByteRange;
  readonly source: ReadSource;
  /** Set when `record` is provisional (see above). */
  readonly provisional?: true;
  /** For a provisional read: the committed record. Absent otherwise (`record` is final). */
  readonly committed?: Promise<ArtifactRecord>;
}

/** A page of artifacts. */
export interface ArtifactPage {
  readonly artifacts: readonly ArtifactRecord[];
  readonly cursor: string | null;
}

/** One directory level: sub-directories with aggregates, and the artifacts directly in it. */
export interface BrowseResult {
  readonly dirs: readonly {
    readonly name: string;
    readonly artifact_count: number;
    readonly total_bytes: number;
    readonly last_modified_at: string | null;
  }[];
  readonly artifacts: readonly ArtifactRecord[];
}

/**
 * How a format wants its cache repositories to treat an upstream. Every hook is optional; the
 * defaults treat every path as mutable raw bytes at `upstream_url + '/' + path`.
 */
export interface CachePolicy {
  /** Paths whose content never changes (digests, versioned files): never revalidated. */
  isImmutable?(path: string): boolean;
  /** The upstream URL for `path` (default: `upstream_url` joined with `path`). */
  upstreamUrl?(repo: RepositoryRecord, path: string): string;
  /** Digests the upstream bytes must match (e.g. the digest in an OCI blob path). */
  expectedContent?(path: string): ExpectedContent | undefined;
  /** Rejects an upstream answer before anything is stored (e.g. HTML where a tarball belongs). */
  validateResponse?(path: string, status: number, headers: Headers): void;
  /** Hashes to compute besides BLAKE3 when storing a fetched copy. */
  readonly algorithms?: readonly ExtraHashAlgorithm[];
  /**
   * Paths that hold the format's own bookkeeping rather than an artifact users asked for (an
   * upstream index document such as an npm packument copy): their copies are stored with
   * `internal: true`, left out of `browse` and `search`, and exempt from cleanup policies.
   */
  isInternal?(path: string): boolean;
  /**
   * Sends the upstream request for a cache fill instead of the engine's plain `fetch(url, init)`,
   * e.g. to do a registry's Bearer token dance on a 401. `init` already carries Basic credentials
   * (from `upstream_auth`), the revalidation validators and the engine's header-timeout `signal`;
   * keep the signal on every request made. The answer is treated like a plain fetch's.
   */
  fetchUpstream?(request: UpstreamRequest): Promise<Response>;
}

/** Issues an HTTP request upstream. The server passes `fetch` (with its timeouts); tests too. */
export type UpstreamFetch = (url: string, init: RequestInit) => Promise<Response>;

/** What {@link CachePolicy.fetchUpstream} gets. */
export interface UpstreamRequest {
  readonly repo: RepositoryRecord;
  /** The artifact path being filled. */
  readonly path: string;
  /** The URL `upstreamUrl` (or the default) chose. */
  readonly url: string;
  readonly init: RequestInit;
  /** The engine's fetch: use it for every request made. */
  readonly fetch: UpstreamFetch;
  readonly logger: import('../logger.js').Logger;
}

/** Upstream timeouts of cache fills (RELIABILITY.md P2); each defaults as documented. */
export interface UpstreamTimeouts {
  /** Response headers must arrive within this long (default 30 s). */
  readonly headersMs?: number;
  /** A response body that sends nothing for this long is abandoned (default 60 s). */
  readonly idleMs?: number;
  /** A client reading a streamed fill that takes nothing for this long is dropped (default 30 s). */
  readonly clientStallMs?: number;
}

/**
 * The repository engine: hosted / cache / proxy behaviour shared by every format. Every method
 * takes a repository name and resolves it (`NOT_FOUND` when it does not exist or is being deleted).
 *
 * Proxy members and permissions: every operation acts for a principal — the one given to
 * {@link RepositoryEngine.as}, else `SYSTEM_PRINCIPAL` (the engine a format's context holds, for
 * background work). Request handlers use `req.engine`, which the dispatch scoped to the caller. The
 * caller checks the repository it names; the engine
 * checks the members a proxy resolves to. Reads (`get`, `list`, `browse`, `search`,
 * `resolveMembers`) skip members the principal may not `read`, as if absent (nested proxies
 * included). `put` and `resolveWriteTarget` refuse (`FORBIDDEN`, `UNAUTHORIZED` for anonymous) when
 * the hosted target lacks the action. `delete` on a proxy refuses, deleting nothing, when a member
 * holding the path lacks `delete`.
 */
export interface RepositoryEngine {
  getRepository(name: string): Promise<RepositoryRecord>;
  /** Like {@link getRepository} but `null` when absent or being deleted. Served from a short-lived cache. */
  findRepository(name: string): Promise<RepositoryRecord | null>;
  /**
   * Drops cached repository records (`name`, or all) and the cached artifact records: call after
   * creating, updating or deleting a repository so the next request sees the change.
   */
  invalidateRepository(name?: string): void;
  /** Hosted: stores. Proxy: writes to `write_member` or the first hosted member. Cache: `NOT_ALLOWED`. */
  put(repo: string, path: string, body: ArtifactBody, options?: PutArtifactOptions): Promise<ArtifactRecord>;
  /**
   * Hosted: local. Cache: local hit if fresh, else fetched (or revalidated) upstream, stale on
   * upstream failure. Proxy: members in order, first hit wins. `null` when nobody has it.
   */
  get(repo: string, path: string, options?: GetArtifactOptions): Promise<ArtifactRead | null>;
  /** Local metadata only, no upstream and no members. */
  stat(repo: string, path: string): Promise<ArtifactRecord | null>;
  /**
   * Hosted and cache: the path itself. Proxy: every hosted/cache member; `FORBIDDEN` and nothing
   * deleted when a member holding the path does not allow the principal `delete`.
   */
  delete(repo: string, path: string): Promise<boolean>;
  /** Flat listing under `prefix`, ordered by path, with a stable cursor. Proxies merge members. */
  list(repo: string, options?: { prefix?: string; cursor?: string; limit?: number }): Promise<ArtifactPage>;
  /** One directory level under `prefix` (local to the repository); internal artifacts are left out. */
  browse(repo: string, prefix: string): Promise<BrowseResult>;
  /** Case-insensitive substring search on the path; internal artifacts are left out. */
  search(repo: string, options: { q: string; cursor?: string; limit?: number }): Promise<ArtifactPage>;
  /**
   * The hosted repository a write to `repo` lands in (follows proxies). When that is a member of a
   * proxy, it must allow the principal `action` (default `write`; `delete` for removals, `read` to
   * show its documents), else `FORBIDDEN` / `UNAUTHORIZED`.
   */
  resolveWriteTarget(repo: string, action?: RepoAction): Promise<RepositoryRecord>;
  /**
   * Members of a proxy in order, resolved recursively, without those the principal may not read;
   * the repository itself otherwise.
   */
  resolveMembers(repo: string): Promise<readonly RepositoryRecord[]>;
  /** A view of this engine acting for `principal` (same caches, same storage). */
  as(principal: Principal): RepositoryEngine;
  /** Resolves when the background writes started so far (last-access times) have finished. */
  idle(): Promise<void>;
  /**
   * Starts no more background writes and waits for those in flight; call before closing the KV
   * store. Reads and writes still work afterwards, without last-access bookkeeping.
   */
  close(): Promise<void>;
}

/** A body {@link RepositoryEngine.put} accepts: a byte stream, bytes, or a string (stored as UTF-8). */
export type ArtifactBody = ByteSource | Uint8Array | string;

/** Hashes known after ingest. */
export type IngestHashes = ContentHashes;

/** What {@link createRepositoryEngine} needs. */
export interface RepositoryEngineOptions {
  readonly records: import('../kv/records.js').DepotRecords;
  /** The blob store named by a repository's `store` (`NOT_FOUND`/`BAD_REQUEST` when unknown). */
  blobStore(name: string): Promise<import('../blob/blob-store.js').BlobStore>;
  /** Sends cache fills upstream (default: the global `fetch`; hosted-only use never calls it). */
  readonly fetch?: UpstreamFetch;
  /** The cache policy of a format (by repository `format`), if it declares one (default: none). */
  cachePolicy?(format: string): CachePolicy | undefined;
  readonly logger?: import('../logger.js').Logger;
  /** Clock in ms (tests inject one). */
  readonly now?: () => number;
  /** Overrides the default upstream timeouts. */
  readonly upstreamTimeouts?: UpstreamTimeouts;
}
