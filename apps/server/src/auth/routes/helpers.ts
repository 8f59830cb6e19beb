import { badRequest, DepotError, type Principal } from '@depot/core';
import type { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/env.js';

/** The caller, set by the server's authentication middleware. */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get('principal');
  if (p === undefined) throw new DepotError('INTERNAL_ERROR', 'request reached an auth route without a principal');
  return p;
}

/** Administrators only: anonymous → 401 (so clients send credentials), others → 403. */
export function requireAdmin(c: Context<AppEnv>): Principal {
  const p = principalOf(c);
  if (p.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
  if (!p.admin) throw new DepotError('FORBIDDEN', 'administrator only');
  return p;
}

/** Turns a validation failure into the one error shape (unknown fields → 400). */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError }): undefined {
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw badRequest(issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { issues });
  }
  return undefined;
}

/**
 * Route middleware for administrator-only routes. It runs before body validation, so a caller
 * without access learns nothing from validation errors (401/403 first).
 */
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireAdmin(c);
  await next();
};

/** Route middleware: administrators, or the user named by the `username` path parameter. */
export const adminOrSelf: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = principalOf(c);
  if (p.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
  if (!p.admin && p.username !== c.req.param('username'))
    throw new DepotError('FORBIDDEN', 'administrators or the user only');
  await next();
};
