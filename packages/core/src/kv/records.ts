import type { KvStore } from './kv-store.js';
import { type RecordView, recordView } from './record-view.js';

/** Hashes Depot may know of a blob. BLAKE3 is always present; the others when a format asked. */
export interface ContentHashes {
  readonly blake3: string;
  readonly sha256?: string;
  readonly sha512?: string;
  readonly sha1?: string;
  readonly md5?: string;
}

/** Hash algorithms besides BLAKE3 that ingest can compute on request. */
export type ExtraHashAlgorithm = 'sha256' | 'sha512' | 'sha1' | 'md5';

export type RepoType = 'hosted' | 'cache' | 'proxy';

/**
 * What writes a repository accepts (`write_policy`): `allow` replaces what is there, `allow_once`
 * stores each path once (a second write of other bytes is `CONFLICT`; the same bytes again is a
 * no-op), `read_only` refuses every write and delete with `NOT_ALLOWED`.
 */
export type WritePolicy = 'allow' | 'allow_once' | 'read_only';

/** The write policies, in the order documentation lists them. */
export const WRITE_POLICIES: readonly WritePolicy[] = ['allow', 'allow_once', 'read_only'];

/** Credentials sent to an upstream (HTTP Basic). */
export interface UpstreamAuth {
  readonly username: string;
  readonly password?: string;
}

/**
 * A repository's configuration as stored (`repo/{name}`). Format-specific options live in
 * `format_options`, validated by the format plugin.
 */
export interface RepositoryRecord {
  readonly name: string;
  readonly repo_type: RepoType;
  readonly format: string;
  readonly store: string;
  readonly upstream_url?: string;
  /** Cache repositories: how long a mutable upstream document (an index, a packument) is served before revalidation. */
  readonly cache_ttl_secs?: number;
  /**
   * Cache repositories: the same for mutable content that is not format metadata (a raw file);
   * absent, `cache_ttl_secs` applies. Immutable content is never revalidated.
   */
  readonly content_ttl_secs?: number;
  /** Cache repositories: how long an upstream 404 is remembered (0 or absent: not at all). */
  readonly negative_cache_ttl_secs?: number;
  /** Cache repositories: never contact the upstream; serve only what is held. */
  readonly offline?: boolean;
  /** Cache repositories: versions published upstream less than this long ago are hidden and refused. */
  readonly cooldown_secs?: number;
  /** Names exempt from `cooldown_secs` (exact, or a prefix ending in `*`). */
  readonly cooldown_allow?: readonly string[];
  /** Which writes the repository accepts; absent is `allow`. */
  readonly write_policy?: WritePolicy;
  readonly upstream_auth?: UpstreamAuth;
  /**
   * Hosts besides the `upstream_url`'s own that upstream redirects may lead to (`cdn.example.com`,
   * `cdn.example.com:8443`, `*.example.com`); credentials are never sent to them.
   */
  readonly upstream_redirect_hosts?: readonly string[];
  readonly members?: readonly string[];
  readonly write_member?: string;
  readonly cleanup_max_age_days?: number;
  readonly cleanup_max_unaccessed_days?: number;
  /** Keep only the newest N versions of each package (hosted; formats that list versions). */
  readonly cleanup_keep_last?: number;
  readonly format_options?: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
  /** Soft delete: reads answer 404 and a background worker drains the contents. */
  readonly deleting?: boolean;
}

/** One artifact (`artifact/{repo}/{path}`): a path in a repository pointing at a blob. */
export interface ArtifactRecord {
  readonly repo: string;
  readonly path: string;
  readonly store: string;
  readonly blob_id: string;
  readonly size: number;
  readonly content_type: string;
  readonly hashes: ContentHashes;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_accessed_at: string;
  /** Cache repos: when the copy was last fetched or revalidated, and the upstream validators. */
  readonly fetched_at?: string;
  readonly upstream_etag?: string;
  readonly upstream_last_modified?: string;
  /** Bookkeeping paths (format indexes) are exempt from cleanup policies. */
  readonly internal?: boolean;
  /** Format-specific metadata (e.g. an OCI media type). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Dedup record (`blob/{store}/{blake3}`): which stored blob holds these bytes. */
export interface BlobRecord {
  readonly store: string;
  readonly blob_id: string;
  readonly size: number;
  readonly hashes: ContentHashes;
  readonly created_at: string;
}

/** A blob store's configuration (`store/{name}`). */
export interface StoreRecord {
  readonly name: string;
  readonly store_type: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
}

/** Aggregate of one directory of a repository (`dir/{repo}/{dir}`). */
export interface DirAggregateRecord {
  readonly artifact_count: number;
  readonly total_bytes: number;
  readonly last_modified_at: string;
}

/** Runtime settings as a host hands them to formats; unknown keys are kept for formats and later versions. */
export type SettingsRecord = Readonly<Record<string, unknown>>;

/** Current schema version of every record kind. Bump when a record's shape changes. */
export const SCHEMA_VERSION = 1;

/**
 * Typed views of the records the repository engine and formats share, over one {@link KvStore}.
 * A host keeps its own records (the server: users, roles, settings, leases, tasks) under other
 * prefixes of the same store.
 */
export interface DepotRecords {
  readonly kv: KvStore;
  readonly repositories: RecordView<RepositoryRecord>;
  /** Ids are `{repo}/{path}`; see {@link artifactId}. */
  readonly artifacts: RecordView<ArtifactRecord>;
  /** Ids are `{store}/{blake3}`. */
  readonly blobs: RecordView<BlobRecord>;
  readonly stores: RecordView<StoreRecord>;
  /** Ids are `{repo}/{dir}`. */
  readonly dirs: RecordView<DirAggregateRecord>;
}

/** Builds the typed views of {@link DepotRecords} over `kv`. */
export function depotRecords(kv: KvStore): DepotRecords {
  const view = <T>(prefix: string): RecordView<T> => recordView<T>(kv, { prefix, schemaVersion: SCHEMA_VERSION });
  return {
    kv,
    repositories: view('repo/'),
    artifacts: view('artifact/'),
    blobs: view('blob/'),
    stores: view('store/'),
    dirs: view('dir/'),
  };
}

/** The artifact record id of `path` in `repo`. Paths are already normalized (no leading `/`). */
export const artifactId = (repo: string, path: string): string => `${repo}/${path}`;

/** The dedup record id of a blob with this BLAKE3 in `store`. */
export const blobRecordId = (store: string, blake3: string): string => `${store}/${blake3}`;
