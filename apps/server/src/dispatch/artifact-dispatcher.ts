import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDispatcher, type Dispatcher, type FormatResponse } from '@depot/core';
import { lingerOnClose } from '../http/lingering-close.js';
import { setRequestRepo } from '../http/request-events.js';
import { identify } from '../http/request-pipeline.js';
import type { DepotServices } from '../runtime/services.js';
import { ArtifactRequest, authHeaders, headerMap } from './artifact-request.js';
import { writeFormatResponse } from './write-response.js';

/** Serves `/repository/{repo}/{path}` and format mounts on plain node:http streams. */
export type ArtifactHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

/** Core's one dispatch over the server's repositories, installed formats and authentication chain. */
function serverDispatcher(services: DepotServices): Dispatcher {
  const { formats } = services;
  return createDispatcher({
    engine: services.engine,
    // Resolved once per request through the engine's repository cache; the engine reuses it.
    findRepository: (name) => services.engine.findRepository(name),
    runtimeFor: (name) => formats.get(name)?.runtime,
    mountFor: (rawPath) => formats.mountFor(rawPath)?.loaded.runtime,
    authenticate: (req) => {
      const request = req as ArtifactRequest;
      return identify(
        services,
        { headers: authHeaders(request.headers), peer: request.peer, method: request.method, path: request.rawPath },
        request.incoming,
      );
    },
    onRepository: (req, repo) => {
      const incoming = (req as ArtifactRequest).incoming;
      if (incoming !== undefined) setRequestRepo(incoming, repo);
    },
    logger: services.logger,
  });
}

const cache = new WeakMap<DepotServices, Dispatcher>();

/** True when `path` belongs to the artifact surface rather than to the hono app. */
export function isArtifactPath(services: DepotServices, path: string): boolean {
  let dispatcher = cache.get(services);
  if (dispatcher === undefined) {
    dispatcher = serverDispatcher(services);
    cache.set(services, dispatcher);
  }
  return dispatcher.handles(path);
}

/**
 * Node's req/res adapted to core's dispatch: the response is written on the node socket (file-backed
 * bodies by position), an error answer closes a connection whose request body was left unread.
 */
async function send(
  req: IncomingMessage,
  res: ServerResponse,
  response: FormatResponse,
  head: boolean,
  failed: boolean,
): Promise<void> {
  if (!failed) return writeFormatResponse(res, response, head);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // An unread request body would be parsed as the next request: close the connection instead.
  if (!req.complete) {
    res.setHeader('connection', 'close');
    lingerOnClose(req);
  }
  try {
    await writeFormatResponse(res, response, head);
  } catch {
    res.destroy();
  }
}

/** Creates the artifact-surface handler. `tls`: whether this listener is HTTPS. */
export function createArtifactHandler(services: DepotServices, tls: boolean): ArtifactHandler {
  const dispatcher = serverDispatcher(services);
  // Repository create/update/delete through the API must show on the very next request.
  services.repoChanges.subscribe(() => services.engine.invalidateRepository());

  return (req, res, requestId) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const method = (req.method ?? 'GET').toUpperCase();
    const request = new ArtifactRequest(
      req,
      res,
      tls,
      services.trustedProxies,
      services.baseUrl,
      method,
      headerMap(req),
      q < 0 ? url : url.slice(0, q),
      q < 0 ? '' : url.slice(q + 1),
      () => services.settings.current().max_artifact_bytes,
    );
    const head = method === 'HEAD';
    return dispatcher.dispatch(
      request,
      (response, error) => send(req, res, response, head, error !== undefined),
      () => services.logger.child({ request_id: requestId }),
    );
  };
}
