import { badRequest, DepotError, notFound } from '@depot/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.js';
import { setRequestUser } from '../../http/request-events.js';
import { verifyLogin } from '../credentials.js';
import { forgetUser, updateUser } from '../directory.js';
import type { AuthContext } from '../internal/context.js';
import { issueTokenFor } from '../issue-token.js';
import { verifyAgainstDummy, verifyPassword } from '../passwords.js';
import { adminOnly, principalOf, requireAdmin, validationHook } from './helpers.js';
import {
  changePasswordSchema,
  errorResponses,
  jsonBody,
  jsonResponse,
  loginSchema,
  tokenResponseSchema,
} from './schemas.js';

const login = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['auth'],
  summary: 'Exchange a username and password for a token',
  request: { body: jsonBody(loginSchema) },
  responses: { 200: jsonResponse(tokenResponseSchema, 'A token'), ...errorResponses },
});

const changePassword = createRoute({
  method: 'post',
  path: '/api/v1/auth/change-password',
  tags: ['auth'],
  summary: 'Change your own password (with current_password), or another user’s as an administrator',
  request: { body: jsonBody(changePasswordSchema) },
  responses: {
    200: jsonResponse(tokenResponseSchema, 'Own password changed; a new token'),
    204: { description: 'Changed by an administrator' },
    ...errorResponses,
  },
});

const revokeAll = createRoute({
  middleware: [adminOnly] as const,
  method: 'post',
  path: '/api/v1/auth/revoke-all',
  tags: ['auth'],
  summary: 'Replace the signing key and drop the previous one: every token becomes invalid',
  responses: { 204: { description: 'Revoked' }, ...errorResponses },
});

/** `/api/v1/auth/*`. */
export function registerAuthEndpoints(app: OpenAPIHono<AppEnv>, ctx: AuthContext): void {
  app.openapi(
    login,
    async (c) => {
      const { username, password } = c.req.valid('json');
      // The audit event of this request names who logged in (or tried to).
      const incoming = c.env?.incoming;
      if (incoming !== undefined) setRequestUser(incoming, username.slice(0, 256));
      let user: Awaited<ReturnType<typeof verifyLogin>>;
      try {
        const peer = c.env?.incoming?.socket.remoteAddress ?? '';
        user = await verifyLogin(ctx, username, password, ctx.clientOf(peer, c.req.raw.headers));
      } catch (err) {
        if (err instanceof DepotError && err.code === 'UNAUTHORIZED')
          ctx.logger.warn({ username, method: 'login' }, 'audit: login failed');
        throw err;
      }
      const { token } = await issueTokenFor(ctx, user.username);
      return c.json({ token, must_change_password: user.must_change_password }, 200);
    },
    validationHook,
  );

  app.openapi(
    changePassword,
    async (c) => {
      const body = c.req.valid('json');
      const caller = principalOf(c);
      if (caller.admin && !caller.anonymous && caller.username !== body.username) {
        const target = await ctx.records.users.get(body.username);
        if (target === null) throw notFound(`user ${body.username} not found`);
        await updateUser(ctx, body.username, { password: body.new_password });
        ctx.logger.warn({ username: body.username, by: caller.username }, 'audit: password changed by administrator');
        return c.body(null, 204);
      }
      if (body.current_password === undefined) throw badRequest('current_password is required');
      const user = await ctx.records.users.get(body.username);
      if (user !== null && user.source !== 'builtin') throw badRequest('LDAP users change their password in LDAP');
      const ok = user?.password_hash
        ? await verifyPassword(user.password_hash, body.current_password)
        : await verifyAgainstDummy(body.current_password);
      if (!ok || user === null) throw new DepotError('FORBIDDEN', 'current password is wrong');
      await updateUser(ctx, body.username, { password: body.new_password, must_change_password: false });
      forgetUser(ctx, body.username);
      ctx.logger.warn({ username: body.username }, 'audit: password changed');
      const { token } = await issueTokenFor(ctx, body.username);
      return c.json({ token, must_change_password: false }, 200);
    },
    validationHook,
  );

  app.openapi(revokeAll, async (c) => {
    const caller = requireAdmin(c);
    await ctx.keyring.revokeAll();
    ctx.logger.warn({ by: caller.username }, 'audit: all tokens revoked');
    return c.body(null, 204);
  });
}
