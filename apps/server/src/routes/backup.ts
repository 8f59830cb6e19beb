import { Readable } from 'node:stream';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { principalOf } from '../auth/routes/helpers.js';
import { backupStream } from '../backup/write-backup.js';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { holdGc } from '../workers/gc.js';
import { guardedRoute } from './route-helpers.js';

const backupRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/backup',
  tags: ['backup'],
  summary:
    'A backup of everything (configuration, users, roles, repositories, metadata, blobs) as a tar stream; GC waits while it streams',
  responses: {
    200: { description: 'The archive (docs/backup.md)', content: { 'application/x-tar': { schema: z.string() } } },
  },
});

/** `GET /api/v1/backup` (admin): restore it with `depot restore`. */
export function registerBackupRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  app.openapi(backupRoute, async (c) => {
    const release = await holdGc(services.records);
    // A pass already running finishes first: what it deletes is gone before the snapshot starts.
    await services.gc.idle().catch(async (err: unknown) => {
      await release();
      throw err;
    });
    const stream = await backupStream(
      {
        records: services.records,
        blobStore: (name) => services.storeRegistry.get(name),
        depotVersion: services.version,
        kvStoreType: services.kvStoreType,
        logger: services.logger.child({ component: 'backup' }),
      },
      (err) => {
        void release().catch(() => undefined);
        services.audit.record({
          actor: principalOf(c).username,
          action: err === undefined ? 'backup' : 'backup.failed',
          target: '/api/v1/backup',
          outcome: 200,
        });
      },
    ).catch(async (err: unknown) => {
      await release();
      throw err;
    });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      status: 200,
      headers: {
        'content-type': 'application/x-tar',
        'content-disposition': `attachment; filename="depot-backup-${stamp}.tar"`,
      },
    }) as never;
  });
}
