import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { guardedRoute, jsonBody, jsonResponse, looseObject } from './route-helpers.js';

const tags = ['tasks'];
const gcBody = z
  .object({ dry_run: z.boolean().default(false) })
  .strict()
  .openapi('GcRequest');

const gcRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/tasks/gc',
  tags,
  summary: 'Run a blob GC pass now (dry_run: report only); 409 while one runs or before gc_min_interval_secs',
  request: { body: jsonBody(gcBody) },
  responses: { 200: jsonResponse('What the pass found and did', looseObject) },
});
const schedulerRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/tasks/scheduler',
  tags,
  summary: 'When GC last ran, what it did, and its schedule',
  responses: { 200: jsonResponse('The GC schedule', looseObject) },
});

/** `POST /api/v1/tasks/gc` and `GET /api/v1/tasks/scheduler` (admin). */
export function registerTaskRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  app.openapi(gcRoute, async (c) => {
    const { dry_run } = c.req.valid('json');
    const result = await services.gc.run({ dryRun: dry_run });
    c.get('logger').info({ dry_run }, 'gc pass run on request');
    return c.json(result, 200);
  });
  app.openapi(schedulerRoute, async (c) => {
    const state = await services.gc.state();
    const { gc_interval_secs, gc_min_interval_secs } = services.settings.current();
    return c.json(
      {
        gc_last_started_at: state.last_started_at,
        gc_interval_secs,
        gc_min_interval_secs,
        gc_last_result: state.last_result,
      },
      200,
    );
  });
}
