import { Readable } from 'node:stream';
import { badRequest, listIntegrityEvents, normalizeDecodedPath, type Principal, toArtifactResponse } from '@depot/core';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { ARCHIVE_FORMATS, ARCHIVE_TYPES, archiveStream, listUnder } from '../services/archive.js';
import { guardedRoute, jsonBody, jsonResponse, looseObject, nameParam } from './route-helpers.js';

const tags = ['artifacts'];

const browseQuery = z
  .object({
    prefix: z.string().max(4096).optional(),
    q: z.string().min(1).max(1024).optional(),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(10_000))
      .default(100),
    cursor: z.string().max(4096).optional(),
  })
  .strict();

const browseRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/repositories/{name}/artifacts',
  tags,
  summary: 'Browse one directory level (prefix) or search paths (q)',
  request: { params: nameParam, query: browseQuery },
  responses: { 200: jsonResponse('Directories and artifacts', looseObject.openapi('BrowseResponse')) },
});
const bulkDeleteRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/repositories/{name}/bulk-delete',
  tags,
  summary: 'Delete every artifact under a prefix',
  request: { params: nameParam, body: jsonBody(z.object({ prefix: z.string().max(4096) }).strict()) },
  responses: { 200: jsonResponse('Deleted count', z.object({ deleted: z.number() })) },
});
const archiveRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/repositories/{name}/download-archive',
  tags,
  summary: 'Stream everything under a prefix as tar, tar.gz or zip',
  request: {
    params: nameParam,
    query: z
      .object({ prefix: z.string().max(4096).default(''), format: z.enum(ARCHIVE_FORMATS).default('tar.gz') })
      .strict(),
  },
  responses: { 200: { description: 'The archive', content: { 'application/octet-stream': { schema: z.string() } } } },
});

const integrityRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/repositories/{name}/integrity-events',
  tags,
  summary: 'Upstream changes to published immutable files this cache refused (the first verified bytes are kept)',
  request: { params: nameParam },
  responses: { 200: jsonResponse('The events, oldest first', z.object({ events: z.array(looseObject) })) },
});

/** A prefix as given: normalized, keeping a trailing `/` (directory semantics) when sent. */
function normalizePrefix(raw: string): string {
  const norm = normalizeDecodedPath(raw);
  return norm !== '' && raw.endsWith('/') ? `${norm}/` : norm;
}

/** Browse/search, bulk delete and archive download of a repository's artifacts. */
export function registerArtifactRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { repos } = services;
  // Proxy members are read, listed and deleted with the caller's own permissions.
  const engineFor = (c: { get(key: 'principal'): Principal }) => services.engine.as(c.get('principal'));
  app.openapi(integrityRoute, async (c) => {
    const { name } = c.req.valid('param');
    await repos.get(name);
    const events = await listIntegrityEvents(services.records.kv, name);
    return c.json({ events: events as unknown as Record<string, unknown>[] }, 200);
  });
  app.openapi(browseRoute, async (c) => {
    const engine = engineFor(c);
    const { name } = c.req.valid('param');
    const { prefix, q, limit, cursor } = c.req.valid('query');
    await repos.get(name);
    if (q !== undefined) {
      const page = await engine.search(name, { q, limit, ...(cursor === undefined ? {} : { cursor }) });
      return c.json({ artifacts: page.artifacts.map(toArtifactResponse), next_cursor: page.cursor, limit }, 200);
    }
    const result = await engine.browse(name, normalizeDecodedPath(prefix ?? ''));
    const offset = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(offset) || offset < 0) throw badRequest('cursor: invalid');
    const artifacts = result.artifacts.slice(offset, offset + limit).map(toArtifactResponse);
    const next = offset + limit < result.artifacts.length ? String(offset + limit) : null;
    return c.json(
      { dirs: result.dirs, artifacts, total: result.artifacts.length, offset, limit, next_cursor: next },
      200,
    );
  });
  app.openapi(bulkDeleteRoute, async (c) => {
    const engine = engineFor(c);
    const { name } = c.req.valid('param');
    const repo = await repos.get(name);
    const records = await listUnder(engine, name, normalizePrefix(c.req.valid('json').prefix));
    // A hosted repository's format deletes the protocol's way (its metadata stops listing the file).
    const remove = repo.repo_type === 'hosted' ? services.formats.get(repo.format)?.runtime.removeArtifact : undefined;
    let deleted = 0;
    for (const record of records) {
      if (await (remove === undefined ? engine.delete(name, record.path) : remove(repo, record.path))) deleted++;
    }
    c.get('logger').info({ repo: name, deleted }, 'bulk delete finished');
    return c.json({ deleted }, 200);
  });
  app.openapi(archiveRoute, async (c) => {
    const engine = engineFor(c);
    const { name } = c.req.valid('param');
    const { prefix, format } = c.req.valid('query');
    await repos.get(name);
    const norm = normalizePrefix(prefix);
    const records = await listUnder(engine, name, norm);
    const base = norm.replace(/\/$/, '').split('/').pop() || name;
    const stream = archiveStream(engine, name, records, format, c.get('logger'));
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      status: 200,
      headers: {
        'content-type': ARCHIVE_TYPES[format],
        'content-disposition': `attachment; filename="${base.replace(/["\\\r\n]/g, '_')}.${format}"`,
      },
    });
  });
}
