import { randomBytes } from 'node:crypto';
import {
  type BlobStore,
  createDispatcher,
  createFormatContext,
  createRepositoryEngine,
  createSecretBox,
  type DepotRecords,
  type DispatchRequest,
  depotRecords,
  EMPTY_BODY,
  type Format,
  type FormatResponse,
  type FormatRuntime,
  type KvStore,
  memoryBlobStore,
  memoryKvStore,
  noopLogger,
  notFound,
  REPOSITORY_PREFIX,
  type RepositoryEngine,
  type RepositoryRecord,
  type SettingsRecord,
  type UpstreamFetch,
} from '@depot/core';
import { collectBody, type HarnessBody, isStream, knownLength, toByteSource } from './internal/format-bodies.js';
import {
  type HarnessAuth,
  type HarnessUsers,
  harnessAuth,
  type PrincipalInput,
  resolvePrincipal,
} from './internal/format-principals.js';
import { type HarnessServer, serveHarness } from './internal/format-serve.js';

export type { HarnessBody } from './internal/format-bodies.js';
export type { HarnessRole, HarnessUsers, PrincipalInput } from './internal/format-principals.js';
export { harnessPrincipal } from './internal/format-principals.js';
export type { HarnessServer } from './internal/format-serve.js';

/** The external base URL every harness request carries. */
export const HARNESS_BASE_URL = 'http://depot.test';

/** Options for {@link createFormatHarness}. */
export interface FormatHarnessOptions {
  readonly format: Format;
  /** Who requests act as unless they say otherwise (default `admin`). */
  readonly principal?: PrincipalInput;
  /** Users the stand-in `AuthService` accepts (npm login, OCI token endpoint). */
  readonly users?: HarnessUsers;
  /** Upstream fetch for cache repositories (default `globalThis.fetch`). */
  readonly fetch?: UpstreamFetch;
  /** The blob store named `default` (default: a fresh `memoryBlobStore()`); wrap one to count reads. */
  readonly blobStore?: BlobStore;
  readonly settings?: SettingsRecord;
  /** Engine clock in ms. */
  readonly now?: () => number;
}

/** One request to `/repository/{repo}/{path}`. */
export interface HarnessRequest {
  readonly method: string;
  readonly repo: string;
  /** Raw and still percent-encoded, without the leading `/` (`''` is the repository root). */
  readonly path: string;
  readonly query?: string | Readonly<Record<string, string>>;
  /** Any case; formats see them lower-cased. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A known-length body also sets `content-length`, as an HTTP client would. */
  readonly body?: HarnessBody;
  readonly principal?: PrincipalInput;
  /** The external base URL the format sees (default {@link HARNESS_BASE_URL}; served requests: the listener's). */
  readonly baseUrl?: string;
}

/** One request to a format mount (e.g. `/v2/…`). */
export interface HarnessMountRequest extends Omit<HarnessRequest, 'repo' | 'path'> {
  /** The URL path as received, with its leading `/`. */
  readonly rawPath: string;
  readonly boundRepo?: string;
}

/** A response with its body collected. Header names are lower-cased. */
export interface HarnessResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** A format running in-process over memory stores and the real repository engine. */
export interface FormatHarness {
  readonly format: Format;
  readonly runtime: FormatRuntime;
  readonly engine: RepositoryEngine;
  readonly records: DepotRecords;
  readonly kv: KvStore;
  readonly blobStore: BlobStore;
  readonly auth: HarnessAuth;
  /** Stores a repository record (defaults: hosted, this format, store `default`), validating `format_options`. */
  createRepo(repo: Partial<RepositoryRecord> & { readonly name: string }): Promise<RepositoryRecord>;
  /** Dispatches as the server does (core's one dispatch): routing, access check, error rendering. */
  request(req: HarnessRequest): Promise<HarnessResponse>;
  /** Dispatches a request to one of the format's `capabilities.mounts` (404 outside them). */
  mount(req: HarnessMountRequest): Promise<HarnessResponse>;
  /** The same harness (stores, engine, runtime) with requests acting as `principal` by default. */
  as(principal: PrincipalInput): FormatHarness;
  /** Serves this harness on a real `node:http` listener at 127.0.0.1 (an upstream for cache tests). */
  listen(): Promise<HarnessServer>;
  /** Stops listeners, then closes the runtime and the stores (shared by every `as` view; idempotent). */
  close(): Promise<void>;
}

/**
 * Runs a format without the HTTP server, for unit tests of any format: memory KV and blob store
 * (store `default`), `depotRecords`, the real `createRepositoryEngine`, stand-in auth, then
 * `format.init`. Requests go through core's `createDispatcher`, the dispatch the server runs.
 */
export async function createFormatHarness(options: FormatHarnessOptions): Promise<FormatHarness> {
  const { format } = options;
  const kv = memoryKvStore();
  const blobStore = options.blobStore ?? memoryBlobStore();
  const records = depotRecords(kv);
  const fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const engine = createRepositoryEngine({
    records,
    blobStore: async (name) => {
      if (name !== 'default') throw notFound(`blob store ${name} not found`);
      return blobStore;
    },
    fetch,
    cachePolicy: (name) => (name === format.name ? format.cachePolicy : undefined),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const auth = harnessAuth(options.users);
  const settings = options.settings ?? {};
  const runtime = await format.init(
    createFormatContext(
      {
        engine,
        kv,
        fetch,
        auth,
        logger: noopLogger,
        settings: () => settings,
        secrets: createSecretBox(randomBytes(32)),
        ...(options.now === undefined ? {} : { now: options.now }),
      },
      format,
    ),
  );
  const now = options.now ?? Date.now;
  const servers: HarnessServer[] = [];
  let closing: Promise<void> | undefined;

  // The server's own dispatch (routing, access check, the caller's engine, error rendering), so a
  // format that passes here behaves the same behind the real server.
  const mounts = format.capabilities.mounts ?? [];
  const dispatcher = createDispatcher({
    engine,
    async findRepository(name) {
      const repo = await records.repositories.get(name);
      return repo === null || repo.deleting === true ? null : repo;
    },
    runtimeFor: (name) => (name === format.name ? runtime : undefined),
    mountFor: (rawPath) =>
      mounts.some((m) => rawPath === m || rawPath.startsWith(`${m}/`) || rawPath.startsWith(`${m}?`))
        ? runtime
        : undefined,
    authenticate: (req) => req.principal,
    logger: noopLogger,
  });

  /** The harness request as core's dispatch takes it (the body opens only once access passed). */
  function dispatchRequest(
    req: HarnessRequest | HarnessMountRequest,
    defaultPrincipal: PrincipalInput,
  ): Omit<DispatchRequest, 'rawPath'> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    const length = knownLength(req.body);
    if (length !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(length);
    return {
      method: req.method.toUpperCase(),
      query: new URLSearchParams(req.query ?? ''),
      headers,
      body: EMPTY_BODY,
      openBody: () => toByteSource(req.body),
      baseUrl: req.baseUrl ?? HARNESS_BASE_URL,
      principal: resolvePrincipal(req.principal ?? defaultPrincipal),
      signal: new AbortController().signal,
    };
  }

  /** Dispatches and collects the response as the server writes it. */
  async function run(request: DispatchRequest): Promise<HarnessResponse> {
    let result: HarnessResponse | undefined;
    let problem: unknown;
    await dispatcher.dispatch(request, async (response) => {
      try {
        result = await finish(request.method, response);
      } catch (err) {
        problem = err;
      }
    });
    if (problem !== undefined || result === undefined) throw problem ?? new Error('dispatch sent no response');
    return result;
  }

  const view = (defaultPrincipal: PrincipalInput): FormatHarness => ({
    format,
    runtime,
    engine,
    records,
    kv,
    blobStore,
    auth,
    async createRepo(partial) {
      const stamp = new Date(now()).toISOString();
      const draft: RepositoryRecord = {
        repo_type: 'hosted',
        format: format.name,
        store: 'default',
        created_at: stamp,
        updated_at: stamp,
        ...partial,
      };
      const formatOptions = format.validateRepositoryOptions?.(draft.format_options ?? {}, draft);
      const record = formatOptions === undefined ? draft : { ...draft, format_options: formatOptions };
      await records.repositories.put(record.name, record);
      return record;
    },
    request: (req) =>
      run({
        ...dispatchRequest(req, defaultPrincipal),
        rawPath: `${REPOSITORY_PREFIX}/${encodeURIComponent(req.repo)}/${req.path}`,
      }),
    async mount(req) {
      const boundRepo = req.boundRepo === undefined ? null : await records.repositories.get(req.boundRepo);
      return run({
        ...dispatchRequest(req, defaultPrincipal),
        rawPath: req.rawPath,
        ...(boundRepo === null ? {} : { boundRepo }),
      });
    },
    as: (principal) => view(principal),
    async listen() {
      const server = await serveHarness(view(defaultPrincipal));
      servers.push(server);
      return server;
    },
    close() {
      closing ??= (async () => {
        await Promise.all(servers.map((server) => server.stop()));
        await runtime.close?.();
        await blobStore.close?.();
        await kv.close();
      })();
      return closing;
    },
  });
  return view(options.principal ?? 'admin');
}

/**
 * Collects the body and checks what an HTTP server would trip over: a stream opened for HEAD, and a
 * `content-length` that disagrees with the bytes sent.
 */
async function finish(method: string, response: FormatResponse): Promise<HarnessResponse> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
  if (method === 'HEAD' && isStream(response.body)) {
    throw new Error('format opened a body stream for HEAD; answer HEAD from metadata only');
  }
  const body = method === 'HEAD' ? Buffer.alloc(0) : await collectBody(response.body);
  const declared = headers['content-length'];
  const bodyless = method === 'HEAD' || response.status === 304 || response.status === 204;
  if (declared !== undefined && !bodyless && Number(declared) !== body.byteLength) {
    throw new Error(`content-length ${declared} but the body has ${body.byteLength} bytes`);
  }
  return {
    status: response.status,
    headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}
