import { notFound } from '@depot/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.js';
import type { RoleRecord } from '../../records/server-records.js';
import { all } from '../directory.js';
import type { AuthContext } from '../internal/context.js';
import { createRole, deleteRole, updateRole } from '../role-directory.js';
import { adminOnly, requireAdmin, validationHook } from './helpers.js';
import {
  createRoleSchema,
  errorResponses,
  errorSchema,
  jsonBody,
  jsonResponse,
  roleResponseSchema,
  updateRoleSchema,
} from './schemas.js';

const params = z.object({
  name: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'name', in: 'path' } }),
});
const tags = ['roles'];
const notFoundResponse = { 404: jsonResponse(errorSchema, 'No such role') };

const roleView = (r: RoleRecord) => ({
  name: r.name,
  ...(r.description === undefined ? {} : { description: r.description }),
  capabilities: r.capabilities.map((g) => ({ capability: g.capability, repo: g.repo })),
  admin: r.admin === true,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const list = createRoute({
  middleware: [adminOnly] as const,
  method: 'get',
  path: '/api/v1/roles',
  tags,
  summary: 'List roles',
  responses: { 200: jsonResponse(z.array(roleResponseSchema), 'Roles'), ...errorResponses },
});
const create = createRoute({
  middleware: [adminOnly] as const,
  method: 'post',
  path: '/api/v1/roles',
  tags,
  summary: 'Create a role',
  request: { body: jsonBody(createRoleSchema) },
  responses: {
    201: jsonResponse(roleResponseSchema, 'Created'),
    409: jsonResponse(errorSchema, 'Exists'),
    ...errorResponses,
  },
});
const get = createRoute({
  middleware: [adminOnly] as const,
  method: 'get',
  path: '/api/v1/roles/{name}',
  tags,
  summary: 'Get a role',
  request: { params },
  responses: { 200: jsonResponse(roleResponseSchema, 'The role'), ...notFoundResponse, ...errorResponses },
});
const update = createRoute({
  middleware: [adminOnly] as const,
  method: 'put',
  path: '/api/v1/roles/{name}',
  tags,
  summary: 'Update a role',
  request: { params, body: jsonBody(updateRoleSchema) },
  responses: { 200: jsonResponse(roleResponseSchema, 'Updated'), ...notFoundResponse, ...errorResponses },
});
const remove = createRoute({
  middleware: [adminOnly] as const,
  method: 'delete',
  path: '/api/v1/roles/{name}',
  tags,
  summary: 'Delete a role (not `admin`, not one still assigned)',
  request: { params },
  responses: {
    204: { description: 'Deleted' },
    409: jsonResponse(errorSchema, 'Still assigned'),
    ...notFoundResponse,
    ...errorResponses,
  },
});

/** `/api/v1/roles*`. */
export function registerRoleEndpoints(app: OpenAPIHono<AppEnv>, ctx: AuthContext): void {
  app.openapi(list, async (c) => {
    requireAdmin(c);
    return c.json((await all(ctx.records.roles)).map(roleView), 200);
  });
  app.openapi(
    create,
    async (c) => {
      requireAdmin(c);
      return c.json(roleView(await createRole(ctx, c.req.valid('json'))), 201);
    },
    validationHook,
  );
  app.openapi(
    get,
    async (c) => {
      requireAdmin(c);
      const { name } = c.req.valid('param');
      const role = await ctx.records.roles.get(name);
      if (role === null) throw notFound(`role ${name} not found`);
      return c.json(roleView(role), 200);
    },
    validationHook,
  );
  app.openapi(
    update,
    async (c) => {
      requireAdmin(c);
      return c.json(roleView(await updateRole(ctx, c.req.valid('param').name, c.req.valid('json'))), 200);
    },
    validationHook,
  );
  app.openapi(
    remove,
    async (c) => {
      requireAdmin(c);
      await deleteRole(ctx, c.req.valid('param').name);
      return c.body(null, 204);
    },
    validationHook,
  );
}
