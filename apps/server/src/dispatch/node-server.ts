import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { DepotError, errorBody, type Logger } from '@depot/core';
import { getRequestListener } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { auditRequest } from '../audit/audit-request.js';
import type { AppEnv } from '../http/env.js';
import { createMetrics, type DepotMetrics } from '../http/metrics.js';
import { trackRequestEvent } from '../http/request-events.js';
import { settleRequestId } from '../http/request-pipeline.js';
import type { DepotServices } from '../runtime/services.js';
import { createArtifactHandler, isArtifactPath } from './artifact-dispatcher.js';

/**
 * Request head limits (RELIABILITY §3.8 H3–H4). Node's parser refuses a head over
 * `MAX_HEAD_BYTES` with 431; it counts the request line too, so the limit is set above the URL limit
 * and a long URL is told apart here (414) from many or large headers (431).
 */
const MAX_HEAD_BYTES = 128 * 1024;
const MAX_URL_BYTES = 16 * 1024;
const MAX_HEADER_BYTES = 32 * 1024;
const MAX_HEADERS = 200;

/** 414 or 431 for a request head over the limits, else `null`. */
function oversizedHead(req: IncomingMessage): 414 | 431 | null {
  if ((req.url ?? '').length > MAX_URL_BYTES) return 414;
  const raw = req.rawHeaders;
  if (raw.length / 2 > MAX_HEADERS) return 431;
  let bytes = 0;
  for (const part of raw) bytes += part.length + 2;
  return bytes > MAX_HEADER_BYTES ? 431 : null;
}

function refuseHead(res: ServerResponse, status: 414 | 431): void {
  const err =
    status === 414
      ? new DepotError('URI_TOO_LONG', 'request URL too long')
      : new DepotError('HEADERS_TOO_LARGE', 'request headers too large');
  res.writeHead(err.status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(errorBody(err)));
}

/** TLS material for an HTTPS listener. */
export interface TlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * One node:http(s) server: the artifact surface is served on node streams directly, everything
 * else goes to the hono app. The request id is settled here so both halves share it.
 */
export function createDepotServer(
  services: DepotServices,
  app: OpenAPIHono<AppEnv>,
  tls?: TlsFiles,
  metrics: DepotMetrics = createMetrics(),
  requestEvents?: Logger,
): Server {
  const honoListener = getRequestListener(app.fetch);
  const artifacts = createArtifactHandler(services, tls !== undefined);
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const oversized = oversizedHead(req);
    if (oversized !== null) {
      refuseHead(res, oversized);
      return;
    }
    const requestId = settleRequestId(req.headers['x-request-id']);
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      metrics.serve(res);
      return;
    }
    if (requestEvents !== undefined) {
      trackRequestEvent(req, res, requestId, requestEvents, () => services.settings.current().access_log);
    }
    auditRequest(services.audit, req, res, path, requestId);
    const artifact = isArtifactPath(services, path);
    metrics.track(req, res, artifact ? (path.startsWith('/repository') ? 'repository' : 'mount') : 'api');
    const handled = artifact ? artifacts(req, res, requestId) : honoListener(req, res);
    handled.catch((err: unknown) => {
      services.logger.error({ err, request_id: requestId }, 'request handler crashed');
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(errorBody(new DepotError('INTERNAL_ERROR', 'internal server error'))));
      } else {
        res.destroy();
      }
    });
  };
  const server: Server = tls
    ? createHttpsServer(
        { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath), maxHeaderSize: MAX_HEAD_BYTES },
        listener,
      )
    : createHttpServer({ maxHeaderSize: MAX_HEAD_BYTES }, listener);
  // `Expect: 100-continue` with a body over the limit: answer 413 without inviting the body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > services.settings.current().max_artifact_bytes)) res.writeContinue();
    listener(req, res);
  });
  // Slowloris and idle sockets (RELIABILITY §3.8); long uploads are bounded by idleness, not length.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  server.maxRequestsPerSocket = 10_000;
  server.setTimeout(120_000, (socket) => socket.destroy());
  return server;
}
