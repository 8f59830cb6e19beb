import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { toRepoResponse } from '../services/repo-service.js';
import { createRepoSchema, updateRepoSchema } from '../services/schemas.js';
import { crudRoutes } from './route-helpers.js';

const routes = crudRoutes({
  path: '/api/v1/repositories',
  tag: 'repositories',
  itemName: 'Repository',
  createSchema: createRepoSchema,
  updateSchema: updateRepoSchema,
  summaries: {
    list: 'Repositories the caller may read',
    create: 'Create a repository',
    get: 'One repository',
    update: 'Update a repository (omitted fields stay unchanged)',
    delete: 'Delete a repository (contents are drained in the background)',
  },
  deleteConflict: 'Member of a proxy',
});

/** Repository CRUD under `/api/v1/repositories`. */
export function registerRepositoryRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { repos } = services;
  app.openapi(routes.list, async (c) => {
    const principal = c.get('principal');
    const all = await repos.list();
    return c.json(
      all.filter((r) => principal.can('read', r.name)).map((r) => toRepoResponse(r, principal.admin)),
      200,
    );
  });
  app.openapi(routes.create, async (c) => {
    const repo = await repos.create(c.req.valid('json'));
    c.get('logger').info({ repo: repo.name, format: repo.format, repo_type: repo.repo_type }, 'repository created');
    return c.json(toRepoResponse(repo, c.get('principal').admin), 201);
  });
  app.openapi(routes.get, async (c) =>
    c.json(toRepoResponse(await repos.get(c.req.valid('param').name), c.get('principal').admin), 200),
  );
  app.openapi(routes.update, async (c) => {
    const repo = await repos.update(c.req.valid('param').name, c.req.valid('json'));
    return c.json(toRepoResponse(repo, c.get('principal').admin), 200);
  });
  app.openapi(routes.delete, async (c) => {
    const { name } = c.req.valid('param');
    await repos.softDelete(name);
    c.get('logger').info({ repo: name }, 'repository marked for deletion');
    services.wakeCleanup();
    return c.body(null, 204);
  });
}
