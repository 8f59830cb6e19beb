import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { createStoreSchema, updateStoreSchema } from '../services/schemas.js';
import { toStoreResponse } from '../services/store-service.js';
import { crudRoutes, guardedRoute, jsonResponse, nameParam } from './route-helpers.js';

const routes = crudRoutes({
  path: '/api/v1/stores',
  tag: 'stores',
  itemName: 'Store',
  createSchema: createStoreSchema,
  updateSchema: updateStoreSchema,
  summaries: {
    list: 'Blob stores',
    create: 'Create a blob store (health-checked before it is saved)',
    get: 'One blob store',
    update: 'Patch a blob store’s options (health-checked)',
    delete: 'Delete a blob store no repository uses',
  },
  deleteConflict: 'In use',
});
const checkRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/stores/{name}/check',
  tags: ['stores'],
  summary: 'Run the store’s health check',
  request: { params: nameParam },
  responses: { 200: jsonResponse('Health', z.object({ ok: z.boolean(), error: z.string().optional() })) },
});

/** Blob store CRUD under `/api/v1/stores`. */
export function registerStoreRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { stores } = services;
  app.openapi(routes.list, async (c) => c.json((await stores.list()).map(toStoreResponse), 200));
  app.openapi(routes.create, async (c) => {
    const store = await stores.create(c.req.valid('json'));
    c.get('logger').info({ store: store.name, store_type: store.store_type }, 'store created');
    return c.json(toStoreResponse(store), 201);
  });
  app.openapi(routes.get, async (c) => c.json(toStoreResponse(await stores.get(c.req.valid('param').name)), 200));
  app.openapi(routes.update, async (c) => {
    const store = await stores.update(c.req.valid('param').name, c.req.valid('json'));
    return c.json(toStoreResponse(store), 200);
  });
  app.openapi(routes.delete, async (c) => {
    await stores.delete(c.req.valid('param').name);
    return c.body(null, 204);
  });
  app.openapi(checkRoute, async (c) => {
    const health = await stores.check(c.req.valid('param').name);
    return c.json({ ok: health.ok, ...(health.error === undefined ? {} : { error: health.error }) }, 200);
  });
}
