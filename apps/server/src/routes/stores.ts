import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { createStoreSchema, updateStoreSchema } from '../services/schemas.js';
import { toStoreResponse } from '../services/store-service.js';
import { guardedRoute, jsonBody, jsonResponse, looseObject, nameParam } from './route-helpers.js';

const storeResponse = looseObject.openapi('Store');
const tags = ['stores'];

const listRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/stores',
  tags,
  summary: 'Blob stores',
  responses: { 200: jsonResponse('Stores', z.array(storeResponse)) },
});
const createRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/stores',
  tags,
  summary: 'Create a blob store (health-checked before it is saved)',
  request: { body: jsonBody(createStoreSchema) },
  responses: { 201: jsonResponse('Created', storeResponse), 409: { description: 'Name taken' } },
});
const getRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/stores/{name}',
  tags,
  summary: 'One blob store',
  request: { params: nameParam },
  responses: { 200: jsonResponse('The store', storeResponse) },
});
const updateRoute = guardedRoute({
  method: 'put',
  path: '/api/v1/stores/{name}',
  tags,
  summary: 'Patch a blob store’s options (health-checked)',
  request: { params: nameParam, body: jsonBody(updateStoreSchema) },
  responses: { 200: jsonResponse('Updated', storeResponse) },
});
const deleteRoute = guardedRoute({
  method: 'delete',
  path: '/api/v1/stores/{name}',
  tags,
  summary: 'Delete a blob store no repository uses',
  request: { params: nameParam },
  responses: { 204: { description: 'Deleted' }, 409: { description: 'In use' } },
});
const checkRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/stores/{name}/check',
  tags,
  summary: 'Run the store’s health check',
  request: { params: nameParam },
  responses: { 200: jsonResponse('Health', z.object({ ok: z.boolean(), error: z.string().optional() })) },
});

/** Blob store CRUD under `/api/v1/stores`. */
export function registerStoreRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { stores } = services;
  app.openapi(listRoute, async (c) => c.json((await stores.list()).map(toStoreResponse), 200));
  app.openapi(createRoute, async (c) => {
    const store = await stores.create(c.req.valid('json'));
    c.get('logger').info({ store: store.name, store_type: store.store_type }, 'store created');
    return c.json(toStoreResponse(store), 201);
  });
  app.openapi(getRoute, async (c) => c.json(toStoreResponse(await stores.get(c.req.valid('param').name)), 200));
  app.openapi(updateRoute, async (c) => {
    const store = await stores.update(c.req.valid('param').name, c.req.valid('json'));
    return c.json(toStoreResponse(store), 200);
  });
  app.openapi(deleteRoute, async (c) => {
    await stores.delete(c.req.valid('param').name);
    return c.body(null, 204);
  });
  app.openapi(checkRoute, async (c) => {
    const health = await stores.check(c.req.valid('param').name);
    return c.json({ ok: health.ok, ...(health.error === undefined ? {} : { error: health.error }) }, 200);
  });
}
