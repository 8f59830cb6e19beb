import { notFound } from '@depot/core';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.js';
import type { AuthContext } from '../internal/context.js';
import { ldapConfigSchema, maskLdap } from '../ldap-config.js';
import { adminOnly, requireAdmin, validationHook } from './helpers.js';
import { errorResponses, errorSchema, jsonBody, jsonResponse } from './schemas.js';

const tags = ['settings'];
const path = '/api/v1/settings/ldap';

const get = createRoute({
  middleware: [adminOnly] as const,
  method: 'get',
  path,
  tags,
  summary: 'The LDAP configuration in force (bind_password masked)',
  responses: {
    200: jsonResponse(ldapConfigSchema, 'Config'),
    404: jsonResponse(errorSchema, 'LDAP is off'),
    ...errorResponses,
  },
});
const put = createRoute({
  middleware: [adminOnly] as const,
  method: 'put',
  path,
  tags,
  summary: 'Set the runtime LDAP configuration ("********" keeps the bind password)',
  request: { body: jsonBody(ldapConfigSchema) },
  responses: { 200: jsonResponse(ldapConfigSchema, 'Saved'), ...errorResponses },
});
const remove = createRoute({
  middleware: [adminOnly] as const,
  method: 'delete',
  path,
  tags,
  summary: 'Remove the runtime LDAP configuration (a TOML [ldap] section applies again)',
  responses: {
    204: { description: 'Removed' },
    404: jsonResponse(errorSchema, 'No runtime config'),
    ...errorResponses,
  },
});

/** `/api/v1/settings/ldap`. */
export function registerLdapEndpoints(app: OpenAPIHono<AppEnv>, ctx: AuthContext): void {
  const changed = (): void => {
    ctx.credentials.clear();
    ctx.principals.invalidateAll();
  };
  app.openapi(get, async (c) => {
    requireAdmin(c);
    const config = await ctx.ldap.reload();
    if (config === null) throw notFound('LDAP is not configured');
    return c.json(maskLdap(config), 200);
  });
  app.openapi(
    put,
    async (c) => {
      const caller = requireAdmin(c);
      const saved = await ctx.ldap.save(c.req.valid('json'));
      changed();
      ctx.logger.warn({ by: caller.username }, 'audit: ldap settings changed');
      return c.json(maskLdap(saved), 200);
    },
    validationHook,
  );
  app.openapi(remove, async (c) => {
    const caller = requireAdmin(c);
    if (!(await ctx.ldap.remove())) throw notFound('no runtime LDAP configuration');
    changed();
    ctx.logger.warn({ by: caller.username }, 'audit: ldap settings removed');
    return c.body(null, 204);
  });
}
