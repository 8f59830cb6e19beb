import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { settingsPatchSchema, settingsSchema } from '../services/settings-schema.js';
import { guardedRoute, jsonBody, jsonResponse, looseObject } from './route-helpers.js';

const tags = ['settings'];
const settingsResponse = jsonResponse('The settings', settingsSchema);

const getRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/settings',
  tags,
  summary: 'Runtime settings',
  responses: { 200: settingsResponse },
});
const putRoute = guardedRoute({
  method: 'put',
  path: '/api/v1/settings',
  tags,
  summary: 'Replace the settings (omitted fields reset to defaults)',
  request: { body: jsonBody(looseObject) },
  responses: { 200: settingsResponse },
});
const patchRoute = guardedRoute({
  method: 'patch',
  path: '/api/v1/settings',
  tags,
  summary: 'Merge into the settings',
  request: { body: jsonBody(settingsPatchSchema) },
  responses: { 200: settingsResponse },
});

/** `GET/PUT/PATCH /api/v1/settings`. */
export function registerSettingsRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { settings } = services;
  app.openapi(getRoute, (c) => c.json(settings.current(), 200));
  app.openapi(putRoute, async (c) => {
    const next = await settings.replace(c.req.valid('json'));
    c.get('logger').info({}, 'settings replaced');
    return c.json(next, 200);
  });
  app.openapi(patchRoute, async (c) => {
    const next = await settings.merge(c.req.valid('json'));
    c.get('logger').info({}, 'settings updated');
    return c.json(next, 200);
  });
}
