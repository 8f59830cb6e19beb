import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DepotError, type Logger } from '@depot/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { parseListen } from '../config/config-schema.js';
import { createDepotServer, type TlsFiles } from '../dispatch/node-server.js';
import type { AppEnv } from '../http/env.js';
import { renderError } from '../http/errors.js';
import type { DepotMetrics } from '../http/metrics.js';
import type { DepotServices } from '../runtime/services.js';
import { boundServices, isUnderMount, type ListenerBinding } from './bound-services.js';

/** In-flight requests on a stopped repository listener get this long before sockets are cut. */
const CLOSE_GRACE_MS = 5_000;

/** What every repository listener shares with the main one. */
export interface RepoListenerContext {
  readonly services: DepotServices;
  readonly metrics: DepotMetrics;
  /** The `[https]` certificate and key: repository listeners then speak TLS (prototype §4). */
  readonly tls?: TlsFiles;
  readonly requestEvents?: Logger;
}

/** One running repository listener. */
export interface RepoListener {
  readonly repo: string;
  /** The repository's format (a format change moves the listener). */
  readonly format: string;
  /** The configured `host:port`. */
  readonly listen: string;
  /** The port actually bound. */
  readonly port: number;
  close(): Promise<void>;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

function notFound(res: ServerResponse, mount: string): void {
  const { status, body } = renderError(
    new DepotError('NOT_FOUND', `only ${mount}/ is served on a repository listener`),
  );
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/**
 * Keeps the shared depot server but lets only `mount` through: `/repository/…`, `/metrics` and the
 * admin API answer 404 on a repository's own port (prototype-inventory §1 "listen").
 */
function onlyMount(server: Server, mount: string): void {
  for (const event of ['request', 'checkContinue'] as const) {
    const inner = server.listeners(event) as RequestHandler[];
    server.removeAllListeners(event);
    server.on(event, (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      if (!isUnderMount(mount, q < 0 ? url : url.slice(0, q))) return notFound(res, mount);
      for (const handler of inner) handler.call(server, req, res);
    });
  }
}

function closeGracefully(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Starts the dedicated listener of repository `binding.repo` on `listen`. Rejects (with the
 * socket error, e.g. `EADDRINUSE`) when the address cannot be bound; nothing is left open then.
 */
export async function startRepoListener(
  ctx: RepoListenerContext,
  binding: ListenerBinding,
  listen: string,
): Promise<RepoListener> {
  const { repo } = binding;
  const address = parseListen(listen);
  if (address === null) throw new Error(`invalid listen address ${listen}`);
  // Never reached (onlyMount and the bound format host keep every request on the artifact path).
  const app = new OpenAPIHono<AppEnv>();
  const server = createDepotServer(boundServices(ctx.services, binding), app, ctx.tls, ctx.metrics, ctx.requestEvents);
  onlyMount(server, binding.mount);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const logger = ctx.services.logger.child({ repo, listen });
  server.on('error', (err) => logger.error({ err }, 'repository listener error'));
  const bound = server.address();
  return {
    repo,
    format: binding.format,
    listen,
    port: typeof bound === 'object' && bound !== null ? bound.port : address.port,
    close: () => closeGracefully(server),
  };
}
