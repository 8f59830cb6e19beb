import type { AuthService, Principal } from '../auth/principal.js';
import type { ByteSource } from '../blob/blob-store.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { AccessRule } from '../dispatch/access.js';
import type { DepotError } from '../errors/depot-error.js';
import type { IntegrityReporter } from '../integrity/integrity-events.js';
import type { KvStore } from '../kv/kv-store.js';
import type { RepositoryRecord, RepoType, SettingsRecord } from '../kv/records.js';
import type { Logger } from '../logger.js';
import type { CachePolicy, RepositoryEngine, UpstreamFetch } from '../repo/engine.js';

/** Request headers, lower-cased names. */
export type HeaderMap = Readonly<Record<string, string>>;

/** What a format handler answers with. Bodies stream; a string is sent as UTF-8. */
export type ResponseBody = string | Uint8Array | ByteSource | null;

export interface FormatResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: ResponseBody;
}

/** Fields every request a format sees carries. */
export interface BaseFormatRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly headers: HeaderMap;
  /** The request body (empty for GET/HEAD). Read at most once. */
  readonly body: ByteSource;
  /** External base URL of this server as the client sees it, e.g. `https://depot.example:8443`. */
  readonly baseUrl: string;
  readonly principal: Principal;
  readonly signal: AbortSignal;
}

/** A request under `/repository/{repo}/…`, after the dispatcher resolved the repository. */
export interface FormatRequest extends BaseFormatRequest {
  readonly repo: RepositoryRecord;
  /** Decoded once and normalized (see `normalizePath`); `''` for the repository root. */
  readonly path: string;
  /** The path as received, still percent-encoded (some protocols need `%2f` distinguished). */
  readonly rawPath: string;
  /**
   * The engine acting as {@link BaseFormatRequest.principal}: proxies resolve only the members the
   * caller may read, writes and deletes need the caller's permissions. Request handlers use this
   * one, never `ctx.engine` (which acts as the system, for background work).
   */
  readonly engine: RepositoryEngine;
}

/** A request to one of the format's global mounts (e.g. `/v2/…` for OCI). */
export interface MountRequest extends BaseFormatRequest {
  /** The URL path as received, e.g. `/v2/library/alpine/manifests/3`. */
  readonly rawPath: string;
  /** Set when the request arrived on a repository's dedicated listener (`listen`). */
  readonly boundRepo?: RepositoryRecord;
  /** The engine acting as the caller, as {@link FormatRequest.engine}. */
  readonly engine: RepositoryEngine;
}

/** Read-only access to the repository records (live ones only: a repository being deleted is absent). */
export interface RepositoryLookup {
  /** The repository `name`, `null` when absent or being deleted. Served from a short-lived cache. */
  get(name: string): Promise<RepositoryRecord | null>;
  /** Every live repository, in name order. */
  list(): AsyncIterable<RepositoryRecord>;
}

/**
 * What a format's `init` hands it: everything it may use, nothing else. No user, role, token or
 * store records: a format asks `req.principal` and `auth`, never the records behind them.
 */
export interface FormatContext {
  /**
   * The engine acting as the system (every proxy member, no permission checks): for workers,
   * listeners and rebuilds. Request handlers use `req.engine`, scoped to the caller.
   */
  readonly engine: RepositoryEngine;
  /**
   * The format's own KV namespace (`fmt/<name>/` of the shared store): keys are relative to it and
   * nothing outside it can be named. Keep per-repository records under prefixes that end with
   * `{repo}/` and declare them in {@link Format.repositoryRecordPrefixes}. Build typed records over
   * it with `recordView`.
   */
  readonly kv: KvStore;
  /** Read-only repository lookup. */
  readonly repositories: RepositoryLookup;
  readonly logger: Logger;
  readonly fetch: UpstreamFetch;
  readonly auth: AuthService;
  /** The current runtime settings (refreshed by the server). */
  settings(): SettingsRecord;
  /** The server's metrics registry, when it has one (absent in unit harnesses). */
  readonly metrics?: FormatMetrics;
  /**
   * Seals secrets (private signing keys) under the server secret before they are written to KV;
   * `available` is false when the host has no server secret.
   */
  readonly secrets: SecretBox;
  /**
   * Where a cache reports an upstream that changed the bytes of something immutable it had already
   * published (recorded once per change, logged, counted, listed by the server per repository).
   */
  readonly integrity: IntegrityReporter;
  /** The host's clock (epoch ms): formats read time through it, so tests can move it. */
  now(): number;
}

/** A counter a format registered with {@link FormatMetrics.counter}. */
export interface FormatCounter {
  inc(labels: Readonly<Record<string, string>>): void;
}

/** Lets a format add its own counters to the server's Prometheus registry. */
export interface FormatMetrics {
  /** Registers (or returns the already registered) counter `name`; keep label values low-cardinality. */
  counter(name: string, help: string, labelNames: readonly string[]): FormatCounter;
}

/** The runtime a format returns from `init`: answers requests for every repository of its format. */
export interface FormatRuntime {
  handle(req: FormatRequest): Promise<FormatResponse>;
  /** Requests to the format's `mounts`. */
  handleMount?(req: MountRequest): Promise<FormatResponse>;
  /**
   * Declares what a repository request needs when it is not the default. Core's dispatch checks it
   * before `handle` runs (the body is not open yet: decide from method, path and query only).
   * Return `undefined` for the default — `read` for GET/HEAD/OPTIONS, `delete` for DELETE, `write`
   * for everything else, on `req.repo` — or an {@link AccessRule}: another action
   * (npm's dist-tag DELETE needs `write`), `'authenticated'`, or `'public'` for routes that
   * authenticate from their body (npm login). `handle` may check more (a proxy's member, a mount source).
   *
   * @example
   * access: (req) => (req.method === 'PUT' && req.path.startsWith('-/user/') ? 'public' : undefined),
   */
  access?(req: FormatRequest): AccessRule | undefined;
  /**
   * Declares what a mount request needs. Default: GET/HEAD/OPTIONS pass to `handleMount`, which
   * resolves the repository from its protocol path and must check `read` itself; any other method
   * needs an authenticated caller (anonymous → 401 with the challenge), and `handleMount` checks the
   * action on the repository it resolves. Return `'public'` for token endpoints that read
   * credentials from the body, or `{ action, repo }` when the repository is known from the path.
   * On a repository's own listener a bare {@link RepoAction} is checked on `boundRepo`.
   */
  mountAccess?(req: MountRequest): AccessRule | undefined;
  /** Renders an error in the protocol's own shape (npm `{"error"}`, OCI `{"errors":[…]}`). */
  renderError?(err: DepotError, req: BaseFormatRequest): FormatResponse;
  /** The `WWW-Authenticate` challenge this protocol's clients expect on 401. */
  challenge?(req: BaseFormatRequest): string;
  close?(): Promise<void>;
  /** Background work the server runs, supervises and stops with the process. */
  readonly workers?: readonly FormatWorker[];
  /**
   * The artifacts of `repo` that this format's own records (under `fmt/<name>/`) rely on, beyond
   * what artifact records say by themselves: a future blob GC keeps them and their blobs.
   */
  referencedBlobs?(repo: RepositoryRecord): AsyncIterable<BlobReference>;
  /**
   * For `cleanup_keep_last`: the packages of a hosted repository with their versions, and how to
   * remove one version the way the protocol's own delete does (metadata and files together).
   */
  readonly versions?: PackageVersionsHook;
  /**
   * Deletes the artifact at `path` of hosted `repo` the way the protocol's own delete does (its
   * metadata first, then the file), for deletes that come through the admin API (bulk delete) rather
   * than the protocol. Returns whether something was deleted. Without it, the engine's delete is used.
   */
  removeArtifact?(repo: RepositoryRecord, path: string): Promise<boolean>;
  /** Formats that sign their metadata: the repository's key, for the admin API (show, import, rotate). */
  readonly signingKey?: SigningKeyHook;
}

/** What the admin API shows of a repository's signing key. */
export interface SigningKeyInfo {
  readonly fingerprint: string;
  /** The armored public key. */
  readonly public_key: string;
  /** The key the current one replaced, kept so clients can be moved over. */
  readonly previous_fingerprint?: string;
}

/** A format's repository signing keys. */
export interface SigningKeyHook {
  describe(repo: RepositoryRecord): Promise<SigningKeyInfo>;
  /**
   * Signs with `armoredPrivateKey` from now on (`null`: a newly generated key), re-signing the
   * repository's metadata. `BAD_REQUEST` names what is wrong with the key.
   */
  replace(repo: RepositoryRecord, armoredPrivateKey: string | null): Promise<SigningKeyInfo>;
}

/** One version of a package and when it was published (ISO 8601). */
export interface PackageVersion {
  readonly version: string;
  readonly published_at: string;
}

/** A package (npm name, PyPI project, Docker image) and its versions (npm versions, releases, tags). */
export interface PackageVersions {
  readonly package: string;
  readonly versions: readonly PackageVersion[];
}

/** What a format offers `cleanup_keep_last`. */
export interface PackageVersionsHook {
  list(repo: RepositoryRecord): AsyncIterable<PackageVersions>;
  /** Removes `version` of `pkg`; a version the format refuses to remove (an immutable tag) throws. */
  remove(repo: RepositoryRecord, pkg: string, version: string): Promise<void>;
}

/** A blob a format's records rely on, named by the artifact of the repository that holds it. */
export interface BlobReference {
  readonly repo: string;
  readonly path: string;
}

/** A background job of a format: the server calls `run` every `intervalMs` until shutdown. */
export interface FormatWorker {
  readonly name: string;
  /** Pause between passes. */
  readonly intervalMs: number;
  /** One pass. A throw is logged and the next pass runs on schedule; `signal` aborts on shutdown. */
  run(signal: AbortSignal): Promise<void>;
  /** Runs once at startup, before requests are served (e.g. drop state an earlier process left). */
  atStartup?(env: { readonly singleNode: boolean }): Promise<void>;
}

/**
 * A runtime setting a format declares. Its key sits at the top level of the settings object
 * (`GET/PUT /api/v1/settings`) next to the server's own; keys must not collide.
 */
export interface FormatSetting {
  readonly default: unknown;
  readonly description?: string;
  /** Validates a present value; returns the value to store or throws `BAD_REQUEST`. */
  parse(value: unknown): unknown;
}

/**
 * Repositories of a format may have a listener of their own (e.g. Docker's `format_options.listen`):
 * requests under `mount` on it reach `handleMount` with `boundRepo` set; the server opens, moves
 * and closes the ports as repositories change.
 */
export interface RepositoryListenerSpec {
  /** The `host:port` `repo` asks for, or `undefined` for none. */
  address(repo: RepositoryRecord): string | undefined;
  /** The mount (one of `capabilities.mounts`) served on the listener, e.g. `/v2`. */
  readonly mount: string;
}

/** What a format can do. */
export interface FormatCapabilities {
  readonly repoTypes: readonly RepoType[];
  /** URL prefixes outside `/repository/` this format serves (e.g. `['/v2']`). */
  readonly mounts?: readonly string[];
  /**
   * Deleting any non-internal artifact of a hosted repository leaves it consistent (no index of
   * the format's own names it), so cleanup policies may expire them (raw). Cache repositories
   * always may: what is expired is fetched again on demand.
   */
  readonly expiresHostedArtifacts?: boolean;
}

/**
 * A format plugin, as returned by its factory (`rawFormat(options)`): the factory validates its
 * options, `init` builds the runtime (two phases).
 */
export interface Format {
  /** The `format` value of repositories it serves, e.g. `raw`, `docker`, `npm`. */
  readonly name: string;
  readonly capabilities: FormatCapabilities;
  /** How cache repositories of this format treat their upstream. */
  readonly cachePolicy?: CachePolicy;
  /**
   * The key prefixes, relative to the format's KV namespace (`FormatContext.kv`; e.g. `{repo}/` or
   * `img/{repo}/`), under which this format keeps records of its own for the repository `repo`.
   * When the repository is deleted everything under them is removed, with its artifacts and before
   * its name can be used again, so a new repository of the same name starts empty. Each must end
   * with `/` (others are ignored); nothing outside the format's namespace can be named. Leave it
   * out only when the format keeps no records of its own per repository.
   */
  repositoryRecordPrefixes?(repo: string): readonly string[];
  /**
   * Validates the format-specific repository options (`format_options`) on create and update;
   * throws `BAD_REQUEST` naming the field. Returns the options to store.
   */
  validateRepositoryOptions?(
    options: Readonly<Record<string, unknown>>,
    repo: Pick<RepositoryRecord, 'name' | 'repo_type'>,
  ): Readonly<Record<string, unknown>>;
  init(context: FormatContext): FormatRuntime | Promise<FormatRuntime>;
  /** Runtime settings this format reads through `context.settings()`, by key. */
  readonly settings?: Readonly<Record<string, FormatSetting>>;
  /** Per-repository listeners, when repositories of this format may have one. */
  readonly repositoryListener?: RepositoryListenerSpec;
}

/**
 * The manifest every format package exports as `depotPlugin`. The server calls `create` once at
 * startup with the plugin's options table from the configuration (`[formats.<name>]` or
 * `[[plugins]] options`, `{}` when none); it validates them, throwing `BAD_REQUEST` with
 * `details.option` naming the bad key.
 */
export interface FormatPluginManifest<Options = Readonly<Record<string, unknown>>> {
  readonly kind: 'format';
  readonly name: string;
  /** The plugin API version this plugin was built against. */
  readonly apiVersion: 1;
  create(options?: Options): Format;
}
