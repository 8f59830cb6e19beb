import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BaseFormatRequest,
  DepotError,
  type FormatResponse,
  type FormatRuntime,
  type Logger,
  normalizePath,
  notFound,
  type Principal,
  runAsPrincipal,
} from '@depot/core';
import { BASIC_CHALLENGE, renderError, retryAfter, toDepotError } from '../http/errors.js';
import { deny } from '../http/guards.js';
import { lingerOnClose } from '../http/lingering-close.js';
import { setRequestUser } from '../http/request-events.js';
import type { DepotServices } from '../runtime/services.js';
import { NAME_PATTERN } from '../services/schemas.js';
import { ArtifactRequest, authHeaders, headerMap } from './artifact-request.js';
import { EMPTY_BODY, limitedBody } from './request-body.js';
import { writeFormatResponse } from './write-response.js';

/** Serves `/repository/{repo}/{path}` and format mounts on plain node:http streams. */
export type ArtifactHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

const REPOSITORY_PREFIX = '/repository';

/** True when `path` belongs to the artifact surface rather than to the hono app. */
export function isArtifactPath(services: DepotServices, path: string): boolean {
  return (
    path === REPOSITORY_PREFIX ||
    path.startsWith(`${REPOSITORY_PREFIX}/`) ||
    services.formats.mountFor(path) !== undefined
  );
}

/** Splits `/repository/{repo}/{rest}` → repo name (decoded) and the raw rest. */
function splitRepositoryPath(rawPath: string): { repo: string; rest: string } {
  const tail = rawPath.slice(REPOSITORY_PREFIX.length + 1);
  const slash = tail.indexOf('/');
  const encodedRepo = slash < 0 ? tail : tail.slice(0, slash);
  let repo: string;
  try {
    repo = encodedRepo.includes('%') ? decodeURIComponent(encodedRepo) : encodedRepo;
  } catch {
    throw new DepotError('BAD_REQUEST', 'malformed percent-encoding in repository name');
  }
  if (!NAME_PATTERN.test(repo)) throw notFound(`repository "${repo}" not found`);
  return { repo, rest: slash < 0 ? '' : tail.slice(slash + 1) };
}

/** Resolves `/repository/{repo}/{path}` and hands it to the repository's format. */
async function handleRepository(
  services: DepotServices,
  req: IncomingMessage,
  request: ArtifactRequest,
  rawPath: string,
  route: { runtime?: FormatRuntime },
): Promise<FormatResponse> {
  if (rawPath.length <= REPOSITORY_PREFIX.length + 1) throw notFound('no repository in path');
  const split = splitRepositoryPath(rawPath);
  const path = normalizePath(split.rest);
  // Resolved once per request through the engine's repository cache; the engine reuses it.
  const repo = await services.engine.findRepository(split.repo);
  if (repo === null) throw notFound(`repository "${split.repo}" not found`);
  const loaded = services.formats.get(repo.format);
  if (loaded === undefined) throw notFound(`format "${repo.format}" is not installed`);
  route.runtime = loaded.runtime;
  const { method, principal } = request;
  if ((method === 'GET' || method === 'HEAD') && !principal.can('read', repo.name)) {
    deny(principal, `read access to repository "${repo.name}" denied`);
  }
  request.body = limitedBody(req, services.settings.current().max_artifact_bytes);
  return loaded.runtime.handle(Object.assign(request, { repo, path, rawPath: split.rest }));
}

/** Creates the artifact-surface handler. `tls`: whether this listener is HTTPS. */
export function createArtifactHandler(services: DepotServices, tls: boolean): ArtifactHandler {
  const { formats, auth } = services;
  // Repository create/update/delete through the API must show on the very next request.
  services.repoChanges.subscribe(() => services.engine.invalidateRepository());

  return async (req, res, requestId) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = headerMap(req);
    const request = new ArtifactRequest(
      req,
      res,
      tls,
      services.trustedProxies,
      services.baseUrl,
      method,
      headers,
      q < 0 ? '' : url.slice(q + 1),
    );
    const isRepository = rawPath === REPOSITORY_PREFIX || rawPath.startsWith(`${REPOSITORY_PREFIX}/`);
    const mount = isRepository ? undefined : formats.mountFor(rawPath);
    // Known before authentication, so even a bad-credentials 401 is in the protocol's shape.
    const route: { runtime?: FormatRuntime } = mount === undefined ? {} : { runtime: mount.loaded.runtime };
    try {
      const peer = req.socket.remoteAddress ?? '';
      const web = authHeaders(headers);
      auth.rateLimit(peer, web);
      const principal: Principal = await auth.authenticate(web, peer);
      auth.requirePasswordCurrent(principal, method, rawPath);
      request.principal = principal;
      setRequestUser(req, principal.username);
      // Everything the format does for this request, body streaming included, runs as its caller:
      // the shared engine then resolves proxy members with this principal's permissions.
      await runAsPrincipal(principal, async () => {
        let response: FormatResponse;
        if (isRepository) {
          response = await handleRepository(services, req, request, rawPath, route);
        } else {
          const runtime = route.runtime;
          if (runtime?.handleMount === undefined) throw notFound(`no route for ${method} ${rawPath}`);
          request.body = limitedBody(req, services.settings.current().max_artifact_bytes);
          response = await runtime.handleMount(Object.assign(request, { rawPath }));
        }
        await writeFormatResponse(res, response, method === 'HEAD');
      });
    } catch (err) {
      const logger: Logger = services.logger.child({ request_id: requestId });
      request.body = EMPTY_BODY;
      await writeError(res, req, toDepotError(err, logger), route.runtime, request, method === 'HEAD', logger);
    }
  };
}

async function writeError(
  res: ServerResponse,
  req: IncomingMessage,
  err: DepotError,
  runtime: FormatRuntime | undefined,
  base: BaseFormatRequest | undefined,
  head: boolean,
  logger: Logger,
): Promise<void> {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // An unread request body would be parsed as the next request: close the connection instead.
  if (!req.complete) {
    res.setHeader('connection', 'close');
    lingerOnClose(req);
  }
  let response: FormatResponse;
  try {
    response = runtime?.renderError && base ? runtime.renderError(err, base) : jsonError(err);
  } catch (renderFailure) {
    logger.error({ err: renderFailure }, 'format error renderer failed');
    response = jsonError(err);
  }
  const headers: Record<string, string> = { ...response.headers };
  if (err.code === 'UNAUTHORIZED' && !Object.keys(headers).some((h) => h.toLowerCase() === 'www-authenticate')) {
    headers['www-authenticate'] = (runtime?.challenge && base ? runtime.challenge(base) : undefined) ?? BASIC_CHALLENGE;
  }
  const wait = retryAfter(err);
  if (wait !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')) {
    headers['retry-after'] = wait;
  }
  try {
    await writeFormatResponse(res, { ...response, headers }, head);
  } catch {
    res.destroy();
  }
}

function jsonError(err: DepotError): FormatResponse {
  const { status, body } = renderError(err);
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
