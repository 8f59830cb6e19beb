import type { Principal } from '../auth/principal.js';
import type { ByteSource } from '../blob/blob-store.js';
import { DepotError, notFound } from '../errors/depot-error.js';
import type {
  BaseFormatRequest,
  FormatRequest,
  FormatResponse,
  FormatRuntime,
  MountRequest,
} from '../format/format.js';
import type { RepositoryRecord } from '../kv/records.js';
import type { Logger } from '../logger.js';
import type { RepositoryEngine } from '../repo/engine.js';
import { refuseReadOnly } from '../repo/members.js';
import { normalizePath } from '../repo/normalize-path.js';
import { type AccessRule, defaultAction, enforceAccess, isMutating } from './access.js';
import { asDepotError, renderError } from './render-error.js';

/** The URL prefix of repository-addressed requests: `/repository/{repo}/{path}`. */
export const REPOSITORY_PREFIX = '/repository';

/** A repository name: a letter or digit, then letters, digits, `.`, `_`, `-` (at most 128). */
export const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A body with no bytes. */
export const EMPTY_BODY: ByteSource = {
  async *[Symbol.asyncIterator]() {},
};

/**
 * One request as the dispatcher receives it from a transport (the server's node:http adapter, the
 * testkit's in-process harness). The dispatcher extends this same object into the format's
 * {@link FormatRequest} or {@link MountRequest}, so lazily built fields (query, base URL, signal)
 * stay lazy. `principal` is set by the dispatcher from `authenticate`.
 */
export interface DispatchRequest extends Omit<BaseFormatRequest, 'principal' | 'body'> {
  /** The URL path without the query, still percent-encoded, with its leading `/`. */
  readonly rawPath: string;
  /** The caller; a transport starts with an anonymous stand-in, the dispatcher sets the real one. */
  principal: Principal;
  body: ByteSource;
  /**
   * Opens the request body; called once, after the access check passed (a transport applies its
   * size limits here, so a refused upload is never read).
   */
  openBody(): ByteSource;
  /** Set by a transport serving one repository on its own listener (passed to `handleMount`). */
  readonly boundRepo?: RepositoryRecord;
}

/** Writes a response. `error` is set when the response renders a failure (the transport may then close the connection). */
export type ResponseSender = (response: FormatResponse, error?: DepotError) => Promise<void>;

/** What the dispatcher routes to. */
export interface DispatchOptions {
  /** The shared engine; each request gets its view acting as the caller (`engine.as(principal)`). */
  readonly engine: RepositoryEngine;
  /** The repository named `name`, or `null` when it does not exist or is being deleted. */
  findRepository(name: string): Promise<RepositoryRecord | null>;
  /** The runtime of the installed format `name`. */
  runtimeFor(name: string): FormatRuntime | undefined;
  /** The runtime whose mount (`capabilities.mounts`) contains `rawPath`. */
  mountFor(rawPath: string): FormatRuntime | undefined;
  /**
   * Resolves the caller (and applies rate limits). Throws `UNAUTHORIZED` for bad credentials and
   * `RATE_LIMITED`; the error is still rendered in the protocol's shape when the route is known.
   */
  authenticate(req: DispatchRequest): Promise<Principal> | Principal;
  /** Hears which repository a request acts on, once its access check passed (for audit trails). */
  onRepository?(req: DispatchRequest, repo: string): void;
  readonly logger: Logger;
}

/** The framework-free artifact dispatch shared by the server and the conformance kit. */
export interface Dispatcher {
  /** True when `rawPath` belongs to the artifact surface (repositories and format mounts). */
  handles(rawPath: string): boolean;
  /**
   * Runs one request: authenticate → route → access check → format handler → `send`, the format
   * seeing `req.engine` scoped to the caller. Any failure is rendered once (format renderer or
   * JSON, 401 with the protocol's challenge) and sent with `error` set. Resolves when sent.
   * `logger`: the request's logger, built only when something is logged (default `options.logger`).
   */
  dispatch(req: DispatchRequest, send: ResponseSender, logger?: () => Logger): Promise<void>;
}

const isRepositoryPath = (rawPath: string): boolean =>
  rawPath === REPOSITORY_PREFIX || rawPath.startsWith(`${REPOSITORY_PREFIX}/`);

/** Splits `/repository/{repo}/{rest}` → repository name (decoded) and the raw rest. */
function splitRepositoryPath(rawPath: string): { repo: string; rest: string } {
  if (rawPath.length <= REPOSITORY_PREFIX.length + 1) throw notFound('no repository in path');
  const tail = rawPath.slice(REPOSITORY_PREFIX.length + 1);
  const slash = tail.indexOf('/');
  const encodedRepo = slash < 0 ? tail : tail.slice(0, slash);
  let repo: string;
  try {
    repo = encodedRepo.includes('%') ? decodeURIComponent(encodedRepo) : encodedRepo;
  } catch {
    throw new DepotError('BAD_REQUEST', 'malformed percent-encoding in repository name');
  }
  if (!REPOSITORY_NAME.test(repo)) throw notFound(`repository "${repo}" not found`);
  return { repo, rest: slash < 0 ? '' : tail.slice(slash + 1) };
}

/** True when `rule` grants a write or a delete: what a `read_only` repository refuses before its format runs. */
const changesContent = (rule: AccessRule): boolean => {
  const action = typeof rule === 'object' ? rule.action : rule;
  return action === 'write' || action === 'delete';
};

/**
 * Creates the one artifact dispatch. Access is safe by default: a repository request needs `read`
 * for GET/HEAD/OPTIONS, `delete` for DELETE and `write` for any other method on the named
 * repository unless the format's `access` declares otherwise; a mount request needs an
 * authenticated caller for mutating methods unless `mountAccess` declares otherwise (the format
 * resolves a mount's repository and checks it; see {@link FormatRuntime.mountAccess}).
 */
export function createDispatcher(options: DispatchOptions): Dispatcher {
  const { engine, findRepository, runtimeFor, mountFor, authenticate } = options;

  /** The named repository; its absence is the format's to report, so a stand-in that refuses nothing. */
  const known = async (name: string): Promise<Pick<RepositoryRecord, 'name' | 'write_policy'>> =>
    (await findRepository(name)) ?? { name };

  async function repository(req: DispatchRequest, route: { runtime?: FormatRuntime }): Promise<FormatResponse> {
    const split = splitRepositoryPath(req.rawPath);
    const repo = await findRepository(split.repo);
    if (repo === null) throw notFound(`repository "${split.repo}" not found`);
    const runtime = runtimeFor(repo.format);
    if (runtime === undefined) throw notFound(`format "${repo.format}" is not installed`);
    route.runtime = runtime;
    // After the format is known, so a bad path is refused in the protocol's error shape.
    const path = normalizePath(split.rest);
    // Assign, not spread: the transport's request builds `query`, `baseUrl` and `signal` lazily.
    // The format acts as its caller (`req.engine`): proxy members resolve with the caller's permissions.
    const formatReq: FormatRequest = Object.assign(req, {
      repo,
      path,
      rawPath: split.rest,
      engine: engine.as(req.principal),
    });
    const rule: AccessRule = runtime.access?.(formatReq) ?? defaultAction(req.method);
    enforceAccess(rule, req.principal, repo.name);
    options.onRepository?.(req, typeof rule === 'object' ? rule.repo : repo.name);
    if (changesContent(rule)) refuseReadOnly(typeof rule === 'object' ? await known(rule.repo) : repo);
    req.body = req.openBody();
    return runtime.handle(formatReq);
  }

  async function mount(req: DispatchRequest, runtime: FormatRuntime | undefined): Promise<FormatResponse> {
    if (runtime?.handleMount === undefined) throw notFound(`no route for ${req.method} ${req.rawPath}`);
    const mountReq: MountRequest = Object.assign(req, { engine: engine.as(req.principal) });
    const rule: AccessRule = runtime.mountAccess?.(mountReq) ?? (isMutating(req.method) ? 'authenticated' : 'public');
    enforceAccess(rule, req.principal, req.boundRepo?.name);
    const named = typeof rule === 'object' ? rule.repo : req.boundRepo?.name;
    if (named !== undefined) options.onRepository?.(req, named);
    if (changesContent(rule) && typeof rule === 'object') refuseReadOnly(await known(rule.repo));
    req.body = req.openBody();
    return runtime.handleMount(mountReq);
  }

  return {
    handles: (rawPath) => isRepositoryPath(rawPath) || mountFor(rawPath) !== undefined,
    async dispatch(req, send, logger) {
      const isRepository = isRepositoryPath(req.rawPath);
      // Known before authentication, so even a bad-credentials 401 is in the protocol's shape.
      const route: { runtime?: FormatRuntime } = {};
      if (!isRepository) {
        const runtime = mountFor(req.rawPath);
        if (runtime !== undefined) route.runtime = runtime;
      }
      try {
        req.principal = await authenticate(req);
        const response = isRepository ? await repository(req, route) : await mount(req, route.runtime);
        await send(response);
      } catch (err) {
        const log = logger?.() ?? options.logger;
        const failure = asDepotError(err, log);
        req.body = EMPTY_BODY;
        await send(renderError(failure, route.runtime, req, log), failure);
      }
    },
  };
}
