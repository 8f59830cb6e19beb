import { DepotError } from '@depot/core';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { viewOf } from '../api-tokens.js';
import type { AuthContext } from '../internal/context.js';
import type { ResolvedPrincipal } from '../principals.js';
import { principalOf, validationHook } from './helpers.js';
import { errorResponses, jsonBody, jsonResponse } from './schemas.js';

const tags = ['tokens'];
const grant = z
  .object({ capability: z.enum(['read', 'write', 'delete', 'admin']), repo: z.string().min(1).max(256) })
  .strict()
  .openapi('TokenGrant');
const createSchema = z
  .object({
    name: z.string().min(1).max(128),
    expires_at: z.string().max(64).optional(),
    grants: z.array(grant).min(1).max(50),
  })
  .strict()
  .openapi('CreateTokenRequest');
const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    owner: z.string(),
    grants: z.array(grant),
    created_at: z.string(),
    expires_at: z.string().optional(),
    last_used_at: z.string().optional(),
  })
  .openapi('Token');
const createdSchema = tokenSchema.extend({ token: z.string() }).openapi('CreatedToken');
const notFoundResponse = { 404: jsonResponse(z.object({ error: z.object({ code: z.string() }) }), 'No such token') };

/** Anonymous callers get 401 before the body is validated (nothing is learnt without credentials). */
const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (principalOf(c).anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
  await next();
};
/** Refuses API-token callers before validation: a token never mints another. */
const notByToken =
  (ctx: AuthContext): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (ctx.apiTokens.isTokenPrincipal(principalOf(c))) {
      throw new DepotError('FORBIDDEN', 'API tokens cannot create tokens; sign in with a password');
    }
    await next();
  };

const createTokenRoute = (ctx: AuthContext) =>
  createRoute({
    middleware: [signedIn, notByToken(ctx)] as const,
    method: 'post',
    path: '/api/v1/tokens',
    tags,
    summary: 'Create a scoped API token for yourself (signed in with a password or a login token)',
    request: { body: jsonBody(createSchema) },
    responses: { 201: jsonResponse(createdSchema, 'The token; its secret is shown only here'), ...errorResponses },
  });
const list = createRoute({
  middleware: [signedIn] as const,
  method: 'get',
  path: '/api/v1/tokens',
  tags,
  summary: 'List your API tokens (administrators: anyone’s with ?user=)',
  request: { query: z.object({ user: z.string().min(1).max(256).optional() }) },
  responses: { 200: jsonResponse(z.object({ tokens: z.array(tokenSchema) }), 'Tokens'), ...errorResponses },
});
const remove = createRoute({
  middleware: [signedIn] as const,
  method: 'delete',
  path: '/api/v1/tokens/{id}',
  tags,
  summary: 'Delete an API token (its owner or an administrator)',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 204: { description: 'Deleted' }, ...notFoundResponse, ...errorResponses },
});

/** `/api/v1/tokens`: scoped, expiring API tokens. */
export function registerTokenEndpoints(app: OpenAPIHono<AppEnv>, ctx: AuthContext): void {
  app.openapi(
    createTokenRoute(ctx),
    async (c) => {
      const caller = principalOf(c);
      const { record, token } = await ctx.apiTokens.create(caller as ResolvedPrincipal, c.req.valid('json'));
      ctx.logger.warn({ username: caller.username, token: record.id, grants: record.grants }, 'audit: token created');
      return c.json({ ...viewOf(record), token }, 201);
    },
    validationHook,
  );
  app.openapi(
    list,
    async (c) => {
      const caller = principalOf(c);
      const user = c.req.valid('query').user ?? caller.username;
      if (user !== caller.username && !caller.admin) throw new DepotError('FORBIDDEN', 'administrators only');
      return c.json({ tokens: (await ctx.apiTokens.list(user)).map(viewOf) }, 200);
    },
    validationHook,
  );
  app.openapi(
    remove,
    async (c) => {
      const caller = principalOf(c);
      const { id } = c.req.valid('param');
      await ctx.apiTokens.remove(id, caller);
      ctx.logger.warn({ username: caller.username, token: id }, 'audit: token deleted');
      return c.body(null, 204);
    },
    validationHook,
  );
}
