import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BaseFormatRequest,
  DepotError,
  type FormatResponse,
  type FormatRuntime,
  type HeaderMap,
  type Logger,
  normalizePath,
  notFound,
  type Principal,
} from '@depot/core';
import { BASIC_CHALLENGE, renderError, toDepotError } from '../http/errors.js';
import { deny } from '../http/guards.js';
import { lingerOnClose } from '../http/lingering-close.js';
import { setRequestUser } from '../http/request-events.js';
import type { DepotServices } from '../runtime/services.js';
import { NAME_PATTERN } from '../services/schemas.js';
import { baseUrl } from './base-url.js';
import { EMPTY_BODY, limitedBody } from './request-body.js';
import { writeFormatResponse } from './write-response.js';

/** Serves `/repository/{repo}/{path}` and format mounts on plain node:http streams. */
export type ArtifactHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

const REPOSITORY_PREFIX = '/repository';

/** Stands in for the caller until authentication has run (error rendering only). */
const ANONYMOUS: Principal = { username: 'anonymous', anonymous: true, admin: false, can: () => false };

/** True when `path` belongs to the artifact surface rather than to the hono app. */
export function isArtifactPath(services: DepotServices, path: string): boolean {
  return (
    path === REPOSITORY_PREFIX ||
    path.startsWith(`${REPOSITORY_PREFIX}/`) ||
    services.formats.mountFor(path) !== undefined
  );
}

function lowerCaseHeaders(req: IncomingMessage): { map: HeaderMap; web: Headers } {
  const map: Record<string, string> = {};
  const web = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(', ') : value;
    map[name] = joined;
    web.set(name, joined);
  }
  return { map, web };
}

/** Splits `/repository/{repo}/{rest}` → repo name (decoded) and the raw rest. */
function splitRepositoryPath(rawPath: string): { repo: string; rest: string } {
  const tail = rawPath.slice(REPOSITORY_PREFIX.length + 1);
  const slash = tail.indexOf('/');
  const encodedRepo = slash < 0 ? tail : tail.slice(0, slash);
  let repo: string;
  try {
    repo = decodeURIComponent(encodedRepo);
  } catch {
    throw new DepotError('BAD_REQUEST', 'malformed percent-encoding in repository name');
  }
  if (!NAME_PATTERN.test(repo)) throw notFound(`repository "${repo}" not found`);
  return { repo, rest: slash < 0 ? '' : tail.slice(slash + 1) };
}

/** Creates the artifact-surface handler. `tls`: whether this listener is HTTPS. */
export function createArtifactHandler(services: DepotServices, tls: boolean): ArtifactHandler {
  const { records, formats, auth } = services;

  return async (req, res, requestId) => {
    const logger: Logger = services.logger.child({ request_id: requestId });
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new DepotError('BAD_REQUEST', 'client disconnected'));
    });
    const { map, web } = lowerCaseHeaders(req);
    let runtime: FormatRuntime | undefined;
    let base: BaseFormatRequest | undefined;
    const common = {
      method,
      query,
      headers: map,
      baseUrl: baseUrl(req, tls, services.trustedProxies),
      principal: ANONYMOUS,
      signal: controller.signal,
    };
    const isRepository = rawPath === REPOSITORY_PREFIX || rawPath.startsWith(`${REPOSITORY_PREFIX}/`);
    const mount = isRepository ? undefined : formats.mountFor(rawPath);
    if (mount !== undefined) {
      // Known before authentication, so even a bad-credentials 401 is in the protocol's shape.
      runtime = mount.loaded.runtime;
      base = { ...common, body: EMPTY_BODY };
    }
    try {
      auth.rateLimit(req.socket.remoteAddress ?? '', web);
      const principal: Principal = await auth.authenticate(web, req.socket.remoteAddress ?? '');
      common.principal = principal;
      setRequestUser(req, principal.username);
      let response: FormatResponse;
      if (isRepository) {
        if (rawPath.length <= REPOSITORY_PREFIX.length + 1) throw notFound('no repository in path');
        const split = splitRepositoryPath(rawPath);
        const path = normalizePath(split.rest);
        const repo = await records.repositories.get(split.repo);
        if (repo === null || repo.deleting) throw notFound(`repository "${split.repo}" not found`);
        const loaded = formats.get(repo.format);
        if (loaded === undefined) throw notFound(`format "${repo.format}" is not installed`);
        runtime = loaded.runtime;
        base = { ...common, body: EMPTY_BODY };
        if ((method === 'GET' || method === 'HEAD') && !principal.can('read', repo.name)) {
          deny(principal, `read access to repository "${repo.name}" denied`);
        }
        const body = limitedBody(req, services.settings.current().max_artifact_bytes);
        response = await runtime.handle({ ...common, body, repo, path, rawPath: split.rest });
      } else {
        base = { ...common, body: EMPTY_BODY };
        if (runtime?.handleMount === undefined) throw notFound(`no route for ${method} ${rawPath}`);
        const body = limitedBody(req, services.settings.current().max_artifact_bytes);
        response = await runtime.handleMount({ ...common, body, rawPath });
      }
      await writeFormatResponse(res, response, method === 'HEAD');
    } catch (err) {
      await writeError(res, req, toDepotError(err, logger), runtime, base, method === 'HEAD', logger);
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
