import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { toRepoResponse } from '../services/repo-service.js';
import { createRepoSchema, updateRepoSchema } from '../services/schemas.js';
import { guardedRoute, jsonBody, jsonResponse, looseObject, nameParam } from './route-helpers.js';

const repoResponse = looseObject.openapi('Repository');
const tags = ['repositories'];

const listRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/repositories',
  tags,
  summary: 'Repositories the caller may read',
  responses: { 200: jsonResponse('Repositories', z.array(repoResponse)) },
});
const createRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/repositories',
  tags,
  summary: 'Create a repository',
  request: { body: jsonBody(createRepoSchema) },
  responses: { 201: jsonResponse('Created', repoResponse), 409: { description: 'Name taken' } },
});
const getRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/repositories/{name}',
  tags,
  summary: 'One repository',
  request: { params: nameParam },
  responses: { 200: jsonResponse('The repository', repoResponse) },
});
const updateRoute = guardedRoute({
  method: 'put',
  path: '/api/v1/repositories/{name}',
  tags,
  summary: 'Update a repository (omitted fields stay unchanged)',
  request: { params: nameParam, body: jsonBody(updateRepoSchema) },
  responses: { 200: jsonResponse('Updated', repoResponse) },
});
const deleteRoute = guardedRoute({
  method: 'delete',
  path: '/api/v1/repositories/{name}',
  tags,
  summary: 'Delete a repository (contents are drained in the background)',
  request: { params: nameParam },
  responses: { 204: { description: 'Deleted' }, 409: { description: 'Member of a proxy' } },
});

/** Repository CRUD under `/api/v1/repositories`. */
export function registerRepositoryRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { repos } = services;
  app.openapi(listRoute, async (c) => {
    const principal = c.get('principal');
    const all = await repos.list();
    return c.json(all.filter((r) => principal.can('read', r.name)).map(toRepoResponse), 200);
  });
  app.openapi(createRoute, async (c) => {
    const repo = await repos.create(c.req.valid('json'));
    c.get('logger').info({ repo: repo.name, format: repo.format, repo_type: repo.repo_type }, 'repository created');
    return c.json(toRepoResponse(repo), 201);
  });
  app.openapi(getRoute, async (c) => c.json(toRepoResponse(await repos.get(c.req.valid('param').name)), 200));
  app.openapi(updateRoute, async (c) => {
    const repo = await repos.update(c.req.valid('param').name, c.req.valid('json'));
    return c.json(toRepoResponse(repo), 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const { name } = c.req.valid('param');
    await repos.softDelete(name);
    c.get('logger').info({ repo: name }, 'repository marked for deletion');
    services.wakeCleanup();
    return c.body(null, 204);
  });
}
