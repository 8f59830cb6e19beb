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

/** What differs between collections served by the same five CRUD routes (see {@link crudRoutes}). */
export interface CrudSpec<C extends z.ZodType, U extends z.ZodType> {
  /** The collection path, e.g. `/api/v1/stores`; items are `{path}/{name}`. */
  readonly path: string;
  readonly tag: string;
  /** OpenAPI schema name of one item, e.g. `Store`. */
  readonly itemName: string;
  readonly createSchema: C;
  readonly updateSchema: U;
  readonly summaries: Readonly<Record<'list' | 'create' | 'get' | 'update' | 'delete', string>>;
  /** Why a delete can be refused with 409. */
  readonly deleteConflict: string;
}

/** List, create, get, update and delete routes of a named collection; the caller registers the handlers. */
export function crudRoutes<C extends z.ZodType, U extends z.ZodType>(spec: CrudSpec<C, U>) {
  const item = looseObject.openapi(spec.itemName);
  const tags = [spec.tag];
  const one = `${spec.path}/{name}`;
  return {
    item,
    list: guardedRoute({
      method: 'get',
      path: spec.path,
      tags,
      summary: spec.summaries.list,
      responses: { 200: jsonResponse(`${spec.itemName} list`, z.array(item)) },
    }),
    create: guardedRoute({
      method: 'post',
      path: spec.path,
      tags,
      summary: spec.summaries.create,
      request: { body: jsonBody(spec.createSchema) },
      responses: { 201: jsonResponse('Created', item), 409: { description: 'Name taken' } },
    }),
    get: guardedRoute({
      method: 'get',
      path: one,
      tags,
      summary: spec.summaries.get,
      request: { params: nameParam },
      responses: { 200: jsonResponse(`The ${spec.itemName.toLowerCase()}`, item) },
    }),
    update: guardedRoute({
      method: 'put',
      path: one,
      tags,
      summary: spec.summaries.update,
      request: { params: nameParam, body: jsonBody(spec.updateSchema) },
      responses: { 200: jsonResponse('Updated', item) },
    }),
    delete: guardedRoute({
      method: 'delete',
      path: one,
      tags,
      summary: spec.summaries.delete,
      request: { params: nameParam },
      responses: { 204: { description: 'Deleted' }, 409: { description: spec.deleteConflict } },
    }),
  };
}
