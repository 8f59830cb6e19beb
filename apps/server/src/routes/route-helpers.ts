import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { guardFor } from '../http/guards.js';

/** The error response every route may answer with. */
export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi('Error');

const errorResponses = {
  400: { description: 'Bad request', content: { 'application/json': { schema: errorSchema } } },
  401: { description: 'Authentication required', content: { 'application/json': { schema: errorSchema } } },
  403: { description: 'Forbidden', content: { 'application/json': { schema: errorSchema } } },
  404: { description: 'Not found', content: { 'application/json': { schema: errorSchema } } },
} as const;

/** A JSON object whose fields are described in api.md. */
export const looseObject = z.record(z.string(), z.unknown());

/** `{name}` path parameter. */
export const nameParam = z.object({ name: z.string().openapi({ param: { name: 'name', in: 'path' } }) });

/** A JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) =>
  ({ required: true, content: { 'application/json': { schema } } }) as const;

/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) =>
  ({ description, content: { 'application/json': { schema } } }) as const;

/**
 * `createRoute` plus the route's access guard from `ROUTE_POLICIES` and the shared error
 * responses. Every admin route is declared through this.
 */
export function guardedRoute<R extends RouteConfig>(route: R) {
  return createRoute({
    ...route,
    middleware: guardFor(route.method, route.path),
    responses: { ...errorResponses, ...route.responses },
  });
}
