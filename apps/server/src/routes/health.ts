import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { guardedRoute, jsonResponse } from './route-helpers.js';

const healthRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['system'],
  summary: 'Liveness',
  responses: { 200: jsonResponse('The server is up', z.object({ status: z.literal('ok'), version: z.string() })) },
});

/** `GET /api/v1/health`. */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, version: services.version }, 200));
}
