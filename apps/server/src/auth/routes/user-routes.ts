import { DepotError, notFound } from '@depot/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.js';
import { all, createUser, deleteUser, revokeUserTokens, updateUser, userView } from '../directory.js';
import type { AuthContext } from '../internal/context.js';
import { adminOnly, adminOrSelf, principalOf, requireAdmin, validationHook } from './helpers.js';
import {
  createUserSchema,
  errorResponses,
  jsonBody,
  jsonResponse,
  updateUserSchema,
  userResponseSchema,
} from './schemas.js';

const params = z.object({
  username: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'username', in: 'path' } }),
});
const tags = ['users'];
const notFoundResponse = {
  404: jsonResponse(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'No such user'),
};

const list = createRoute({
  middleware: [adminOnly] as const,
  method: 'get',
  path: '/api/v1/users',
  tags,
  summary: 'List users',
  responses: { 200: jsonResponse(z.array(userResponseSchema), 'Users'), ...errorResponses },
});
const create = createRoute({
  middleware: [adminOnly] as const,
  method: 'post',
  path: '/api/v1/users',
  tags,
  summary: 'Create a user',
  request: { body: jsonBody(createUserSchema) },
  responses: { 201: jsonResponse(userResponseSchema, 'Created'), 409: { description: 'Exists' }, ...errorResponses },
});
const get = createRoute({
  middleware: [adminOnly] as const,
  method: 'get',
  path: '/api/v1/users/{username}',
  tags,
  summary: 'Get a user',
  request: { params },
  responses: { 200: jsonResponse(userResponseSchema, 'The user'), ...notFoundResponse, ...errorResponses },
});
const update = createRoute({
  middleware: [adminOnly] as const,
  method: 'put',
  path: '/api/v1/users/{username}',
  tags,
  summary: 'Update a user (a new password revokes its tokens)',
  request: { params, body: jsonBody(updateUserSchema) },
  responses: { 200: jsonResponse(userResponseSchema, 'Updated'), ...notFoundResponse, ...errorResponses },
});
const remove = createRoute({
  middleware: [adminOnly] as const,
  method: 'delete',
  path: '/api/v1/users/{username}',
  tags,
  summary: 'Delete a user',
  request: { params },
  responses: { 204: { description: 'Deleted' }, ...notFoundResponse, ...errorResponses },
});
const revoke = createRoute({
  middleware: [adminOrSelf] as const,
  method: 'post',
  path: '/api/v1/users/{username}/revoke-tokens',
  tags,
  summary: 'Revoke every token of a user (administrators, or the user)',
  request: { params },
  responses: { 204: { description: 'Revoked' }, ...notFoundResponse, ...errorResponses },
});

/** `/api/v1/users*`. */
export function registerUserEndpoints(app: OpenAPIHono<AppEnv>, ctx: AuthContext): void {
  app.openapi(list, async (c) => {
    requireAdmin(c);
    return c.json((await all(ctx.records.users)).map(userView), 200);
  });
  app.openapi(
    create,
    async (c) => {
      requireAdmin(c);
      return c.json(userView(await createUser(ctx, c.req.valid('json'))), 201);
    },
    validationHook,
  );
  app.openapi(
    get,
    async (c) => {
      requireAdmin(c);
      const { username } = c.req.valid('param');
      const user = await ctx.records.users.get(username);
      if (user === null) throw notFound(`user ${username} not found`);
      return c.json(userView(user), 200);
    },
    validationHook,
  );
  app.openapi(
    update,
    async (c) => {
      requireAdmin(c);
      return c.json(userView(await updateUser(ctx, c.req.valid('param').username, c.req.valid('json'))), 200);
    },
    validationHook,
  );
  app.openapi(
    remove,
    async (c) => {
      requireAdmin(c);
      await deleteUser(ctx, c.req.valid('param').username);
      return c.body(null, 204);
    },
    validationHook,
  );
  app.openapi(
    revoke,
    async (c) => {
      const caller = principalOf(c);
      const { username } = c.req.valid('param');
      if (caller.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
      if (!caller.admin && caller.username !== username)
        throw new DepotError('FORBIDDEN', 'administrators or the user only');
      await revokeUserTokens(ctx, username);
      ctx.logger.warn({ username, by: caller.username }, 'audit: user tokens revoked');
      return c.body(null, 204);
    },
    validationHook,
  );
}
