import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.js';
import type { AuthContext } from '../internal/context.js';
import { registerAuthEndpoints } from './auth-routes.js';
import { registerLdapEndpoints } from './ldap-routes.js';
import { registerRoleEndpoints } from './role-routes.js';
import { registerTokenEndpoints } from './token-routes.js';
import { registerUserEndpoints } from './user-routes.js';

/** Mounts every route of the auth module on `app`. */
export function registerAuthRoutes(app: OpenAPIHono<AppEnv>, ctx: AuthContext): void {
  registerAuthEndpoints(app, ctx);
  registerUserEndpoints(app, ctx);
  registerRoleEndpoints(app, ctx);
  registerLdapEndpoints(app, ctx);
  registerTokenEndpoints(app, ctx);
}
