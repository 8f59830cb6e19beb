import { DepotError, type Principal, type RepoAction, requireAccess } from '@depot/core';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/** Who may call a route. `any` still authenticates (bad credentials are 401) but lets anonymous in. */
export type RoutePolicy =
  | { readonly kind: 'any' }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'repo'; readonly action: RepoAction; readonly param: string };

const ANY: RoutePolicy = { kind: 'any' };
const ADMIN: RoutePolicy = { kind: 'admin' };
const repo = (action: RepoAction): RoutePolicy => ({ kind: 'repo', action, param: 'name' });

/**
 * The access policy of every admin-API route this package registers, keyed `METHOD /path` in
 * OpenAPI spelling. Routes are registered through `defineRoute`, which refuses a route missing
 * here, so this table is complete by construction and an RBAC matrix test can iterate it.
 */
export const ROUTE_POLICIES: Readonly<Record<string, RoutePolicy>> = {
  'GET /api/v1/health': ANY,
  'GET /api/v1/repositories': ANY,
  'POST /api/v1/repositories': ADMIN,
  'GET /api/v1/repositories/{name}': repo('read'),
  'PUT /api/v1/repositories/{name}': ADMIN,
  'DELETE /api/v1/repositories/{name}': ADMIN,
  'GET /api/v1/repositories/{name}/artifacts': repo('read'),
  'POST /api/v1/repositories/{name}/bulk-delete': repo('delete'),
  'GET /api/v1/repositories/{name}/download-archive': repo('read'),
  'GET /api/v1/repositories/{name}/integrity-events': repo('read'),
  'GET /api/v1/repositories/{name}/signing-key': repo('read'),
  'PUT /api/v1/repositories/{name}/signing-key': ADMIN,
  'POST /api/v1/repositories/{name}/signing-key/rotate': ADMIN,
  'GET /api/v1/stores': ADMIN,
  'POST /api/v1/stores': ADMIN,
  'GET /api/v1/stores/{name}': ADMIN,
  'PUT /api/v1/stores/{name}': ADMIN,
  'DELETE /api/v1/stores/{name}': ADMIN,
  'POST /api/v1/stores/{name}/check': ADMIN,
  'GET /api/v1/settings': ADMIN,
  'GET /api/v1/tasks/scheduler': ADMIN,
  'POST /api/v1/tasks/{kind}': ADMIN,
  'GET /api/v1/tasks': ADMIN,
  'GET /api/v1/tasks/{id}': ADMIN,
  'POST /api/v1/tasks/{id}/cancel': ADMIN,
  'DELETE /api/v1/tasks/{id}': ADMIN,
  'GET /api/v1/events': ADMIN,
  'GET /api/v1/audit': ADMIN,
  'GET /api/v1/audit/export': ADMIN,
  'GET /api/v1/backup': ADMIN,
  'PUT /api/v1/settings': ADMIN,
  'PATCH /api/v1/settings': ADMIN,
};

/** Throws 401 for anonymous callers and 403 for authenticated ones. */
export function deny(principal: Principal, message: string): never {
  if (principal.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
  throw new DepotError('FORBIDDEN', message);
}

/** Checks `policy` for `principal`; `params` are the route's path parameters. */
export function checkPolicy(policy: RoutePolicy, principal: Principal, params: Readonly<Record<string, string>>): void {
  switch (policy.kind) {
    case 'any':
      return;
    case 'authenticated':
      if (principal.anonymous) deny(principal, 'authentication required');
      return;
    case 'admin':
      if (!principal.admin) deny(principal, 'administrator access required');
      return;
    case 'repo': {
      requireAccess(principal, policy.action, params[policy.param] ?? '');
      return;
    }
  }
}

/** The middleware enforcing the policy of `METHOD path`; throws at startup when it has none. */
export function guardFor(method: string, path: string): MiddlewareHandler<AppEnv> {
  const key = `${method.toUpperCase()} ${path}`;
  const policy = ROUTE_POLICIES[key];
  if (policy === undefined) throw new Error(`route ${key} has no access policy in ROUTE_POLICIES`);
  return async (c, next) => {
    checkPolicy(policy, c.get('principal'), c.req.param() as Record<string, string>);
    await next();
  };
}
