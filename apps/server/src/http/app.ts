import { DepotError, retryAfterSecs } from '@depot/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { formatIssues } from '../config/load-config.js';
import { registerArtifactRoutes } from '../routes/artifacts.js';
import { registerAuditRoutes } from '../routes/audit.js';
import { registerBackupRoutes } from '../routes/backup.js';
import { registerDocsRoutes } from '../routes/docs.js';
import { registerHealthRoutes } from '../routes/health.js';
import { registerRepositoryRoutes } from '../routes/repositories.js';
import { registerSettingsRoutes } from '../routes/settings.js';
import { registerSigningKeyRoutes } from '../routes/signing-keys.js';
import { registerStoreRoutes } from '../routes/stores.js';
import { registerTaskRoutes } from '../routes/tasks.js';
import type { DepotServices } from '../runtime/services.js';
import type { AppEnv } from './env.js';
import { BASIC_CHALLENGE, renderError, toDepotError } from './errors.js';
import { lingerOnClose } from './lingering-close.js';
import { allowedMethods } from './method-not-allowed.js';
import { identify, settleRequestId } from './request-pipeline.js';

/** JSON API bodies are capped at 2 MiB (api.md). */
export const MAX_JSON_BYTES = 2 * 1024 * 1024;

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

function errorResponse(c: Context<AppEnv>, err: DepotError): Response {
  const { status, body } = renderError(err);
  // A request body left unread must not be parsed as the next request: close the connection.
  const incoming = c.env?.incoming;
  if (incoming !== undefined && !incoming.complete) {
    c.header('connection', 'close');
    lingerOnClose(incoming);
  }
  if (err.code === 'UNAUTHORIZED' && c.req.header('x-requested-with') !== 'XMLHttpRequest') {
    c.header('www-authenticate', BASIC_CHALLENGE);
  }
  const wait = retryAfterSecs(err);
  if (wait !== undefined) c.header('retry-after', wait);
  return c.json(body, status as 400);
}

/** Builds the hono app serving the admin API, docs and the auth module's routes. */
export function createApp(services: DepotServices): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const target = result.target === 'json' ? '' : result.target;
        throw new DepotError('BAD_REQUEST', formatIssues(result.error.issues, target).replaceAll('\n', '; '));
      }
    },
  });

  app.use('*', async (c, next) => {
    // The node listener settles the id first; in-process requests (`app.request()`) get one here.
    const requestId = settleRequestId(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    c.set('logger', services.logger.child({ request_id: requestId }));
    c.header('x-request-id', requestId);
    c.header('x-content-type-options', 'nosniff');
    const incoming = c.env?.incoming;
    const principal = await identify(
      services,
      {
        headers: c.req.raw.headers,
        peer: incoming?.socket.remoteAddress ?? '',
        method: c.req.method,
        path: c.req.path,
      },
      incoming,
    );
    c.set('principal', principal);
    await next();
  });

  app.use(
    '/api/v1/*',
    bodyLimit({
      maxSize: MAX_JSON_BYTES,
      onError: () => {
        throw new DepotError('PAYLOAD_TOO_LARGE', `JSON bodies are limited to ${MAX_JSON_BYTES} bytes`);
      },
    }),
    async (c, next) => {
      const type = c.req.header('content-type');
      const hasBody =
        c.req.header('transfer-encoding') !== undefined || Number(c.req.header('content-length') ?? 0) > 0;
      if (hasBody && (type === undefined || !JSON_TYPE.test(type))) {
        throw new DepotError('BAD_REQUEST', 'Content-Type must be application/json');
      }
      await next();
    },
  );

  registerHealthRoutes(app, services);
  registerRepositoryRoutes(app, services);
  registerArtifactRoutes(app, services);
  registerStoreRoutes(app, services);
  registerSettingsRoutes(app, services);
  registerTaskRoutes(app, services);
  registerAuditRoutes(app, services);
  registerBackupRoutes(app, services);
  registerSigningKeyRoutes(app, services);
  services.auth.registerRoutes(app);
  registerDocsRoutes(app, services);

  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0) {
      c.header('allow', allowed.join(', '));
      return errorResponse(c, new DepotError('NOT_ALLOWED', `method ${c.req.method} not allowed on ${c.req.path}`));
    }
    return errorResponse(c, new DepotError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));
  });
  app.onError((err, c) => errorResponse(c, toDepotError(err, c.get('logger') ?? services.logger)));
  return app;
}
