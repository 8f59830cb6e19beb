import { Readable } from 'node:stream';
import { badRequest } from '@depot/core';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AuditFilter } from '../audit/audit-log.js';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { guardedRoute, jsonResponse, looseObject } from './route-helpers.js';

const tags = ['audit'];
const iso = z.string().max(40).optional();
const filters = {
  since: iso,
  until: iso,
  actor: z.string().max(256).optional(),
  repo: z.string().max(256).optional(),
  action: z.string().max(64).optional(),
};
const listRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/audit',
  tags,
  summary: 'Audit events, oldest first: writes, deletes, changes, logins and failed logins, token use',
  request: {
    query: z.object({
      ...filters,
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(2048).optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      'A page of events',
      z.object({ events: z.array(looseObject), next_cursor: z.string().nullable() }),
    ),
  },
});
const exportRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/audit/export',
  tags,
  summary: 'Every matching audit event as JSON lines (application/x-ndjson), streamed',
  request: { query: z.object(filters) },
  responses: {
    200: { description: 'One JSON event per line', content: { 'application/x-ndjson': { schema: z.string() } } },
  },
});

/** `since`/`until` as normalised ISO times; anything unparsable is a 400 naming it. */
function filterOf(query: {
  since?: string | undefined;
  until?: string | undefined;
  actor?: string | undefined;
  repo?: string | undefined;
  action?: string | undefined;
}): AuditFilter {
  const time = (field: 'since' | 'until'): string | undefined => {
    const raw = query[field];
    if (raw === undefined) return undefined;
    const at = Date.parse(raw);
    if (!Number.isFinite(at)) throw badRequest(`${field}: must be an ISO 8601 date-time`, { field });
    return new Date(at).toISOString();
  };
  const since = time('since');
  const until = time('until');
  return {
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(query.actor === undefined ? {} : { actor: query.actor }),
    ...(query.repo === undefined ? {} : { repo: query.repo }),
    ...(query.action === undefined ? {} : { action: query.action }),
  };
}

/** `GET /api/v1/audit` and `GET /api/v1/audit/export` (admin). */
export function registerAuditRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    // What was recorded up to now is visible at once, not after the next background flush.
    await services.audit.flush();
    const page = await services.audit.query(filterOf(query), query.limit, query.cursor);
    return c.json({ events: page.events as unknown as Record<string, unknown>[], next_cursor: page.cursor }, 200);
  });
  app.openapi(exportRoute, async (c) => {
    const filter = filterOf(c.req.valid('query'));
    await services.audit.flush();
    const lines = Readable.from(
      (async function* () {
        for await (const event of services.audit.scan(filter)) yield `${JSON.stringify(event)}\n`;
      })(),
    );
    return new Response(Readable.toWeb(lines) as ReadableStream, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson' },
    }) as never;
  });
}
