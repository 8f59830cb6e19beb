import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import type { TaskView } from '../tasks/task-service.js';
import { guardedRoute, jsonResponse, looseObject } from './route-helpers.js';

const tags = ['tasks'];
const task = looseObject.openapi('Task');
const idParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const optionalBody = { required: false, content: { 'application/json': { schema: looseObject } } } as const;

const startRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/tasks/{kind}',
  tags,
  summary:
    'Start a task: gc {dry_run}, check {rehash, fix}, bulk-delete {repo, prefix}; ?wait=true answers when it has finished',
  request: {
    params: z.object({
      kind: z
        .string()
        .max(64)
        .openapi({ param: { name: 'kind', in: 'path' } }),
    }),
    query: z.object({ wait: z.enum(['true', 'false']).optional() }),
    body: optionalBody,
  },
  responses: {
    200: jsonResponse('The finished task (?wait=true)', task),
    202: jsonResponse('The started task', task),
    409: { description: 'One of this kind is running, or (gc) too soon' },
  },
});
const listRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/tasks',
  tags,
  summary: 'Tasks, newest first (finished ones are kept task_retention_secs)',
  request: { query: z.object({ kind: z.string().max(64).optional(), status: z.string().max(16).optional() }) },
  responses: { 200: jsonResponse('Tasks', z.object({ tasks: z.array(task) })) },
});
const getRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/tasks/{id}',
  tags,
  summary: 'One task: status, phase, progress (counts, bytes), ETA, result, log lines',
  request: { params: idParam },
  responses: { 200: jsonResponse('The task', task) },
});
const cancelRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/tasks/{id}/cancel',
  tags,
  summary: 'Cancel a running task; answers once it has stopped',
  request: { params: idParam },
  responses: { 200: jsonResponse('The cancelled task', task), 409: { description: 'Not running' } },
});
const deleteRoute = guardedRoute({
  method: 'delete',
  path: '/api/v1/tasks/{id}',
  tags,
  summary: 'Forget a finished task',
  request: { params: idParam },
  responses: { 204: { description: 'Deleted' }, 409: { description: 'Still running' } },
});
const schedulerRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/tasks/scheduler',
  tags,
  summary: 'When GC last ran, what it did, and its schedule',
  responses: { 200: jsonResponse('The GC schedule', looseObject) },
});
const eventsRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/events',
  tags,
  summary: 'Server-Sent Events: `task` (the task JSON) on every task change; a comment every 15 s keeps it open',
  responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } } },
});

const json = (t: TaskView) => t as unknown as Record<string, unknown>;

/** `/api/v1/tasks*` and `/api/v1/events` (admin). */
export function registerTaskRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const { tasks } = services;
  app.openapi(schedulerRoute, async (c) => {
    const state = await services.gc.state();
    const { gc_interval_secs, gc_min_interval_secs } = services.settings.current();
    return c.json(
      {
        gc_last_started_at: state.last_started_at,
        gc_interval_secs,
        gc_min_interval_secs,
        gc_last_result: state.last_result,
      },
      200,
    );
  });
  app.openapi(listRoute, async (c) => {
    const { kind, status } = c.req.valid('query');
    const list = await tasks.list({
      ...(kind === undefined ? {} : { kind }),
      ...(status === undefined ? {} : { status }),
    });
    return c.json({ tasks: list.map(json) }, 200);
  });
  app.openapi(getRoute, async (c) => c.json(json(await tasks.get(c.req.valid('param').id)), 200));
  app.openapi(startRoute, async (c) => {
    const { kind } = c.req.valid('param');
    const raw =
      c.req.header('content-length') === '0' || c.req.header('content-type') === undefined ? {} : await c.req.json();
    const started = await tasks.start(kind, raw, c.get('principal')?.username ?? 'anonymous');
    c.get('logger').info({ task: started.id, kind }, 'task started');
    if (c.req.valid('query').wait === 'true') return c.json(json(await tasks.wait(started.id)), 200);
    return c.json(json(started), 202);
  });
  app.openapi(cancelRoute, async (c) => c.json(json(await tasks.cancel(c.req.valid('param').id)), 200));
  app.openapi(deleteRoute, async (c) => {
    await tasks.remove(c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(
    eventsRoute,
    (c) =>
      streamSSE(c, async (stream) => {
        const queue: TaskView[] = [];
        let wake: (() => void) | undefined;
        const onTask = (t: TaskView) => {
          if (queue.length < 1000) queue.push(t);
          wake?.();
        };
        tasks.events.on('task', onTask);
        stream.onAbort(() => {
          tasks.events.off('task', onTask);
          wake?.();
        });
        try {
          await stream.write(': depot events\n\n');
          while (!stream.aborted) {
            const next = queue.shift();
            if (next !== undefined) {
              await stream.writeSSE({ event: 'task', data: JSON.stringify(next), id: `${next.id}` });
              continue;
            }
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 15_000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
            if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
          }
        } finally {
          tasks.events.off('task', onTask);
        }
      }) as never,
  );
}
