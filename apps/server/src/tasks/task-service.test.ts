import { memoryKvStore, noopLogger } from '@depot/core';
import { describe, expect, it, vi } from 'vitest';
import { serverRecords } from '../records/server-records.js';
import { createTaskService, TASK_HEARTBEAT_MS, TASK_STALE_MS, type TaskKind, taskKind } from './task-service.js';

/** A task that reports progress, then waits until cancelled (or released). */
function waiter(): { kind: TaskKind<Record<string, never>>; release: () => void } {
  let release = () => {};
  return {
    release: () => release(),
    kind: {
      kind: 'wait',
      prepare: () => ({}),
      async run(_params, ctx) {
        ctx.progress({ phase: 'waiting', done: 1, total: 4 });
        ctx.log('started');
        await new Promise<void>((resolve, reject) => {
          release = resolve;
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        });
        return { ok: true };
      },
    },
  };
}

function setup() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const w = waiter();
  const tasks = createTaskService(serverRecords(memoryKvStore()), [taskKind(w.kind)], noopLogger, {
    retentionSecs: () => 3600,
    now: () => now,
  });
  return { tasks, release: w.release, advance: (ms: number) => (now += ms) };
}

describe('task service', () => {
  it('cancels a running task: status cancelled, the kind free again, its progress and log kept', async () => {
    const { tasks } = setup();
    const seen: string[] = [];
    tasks.events.on('task', (t) => seen.push(t.status));
    const started = await tasks.start('wait', {}, 'admin');
    await expect(tasks.start('wait', {}, 'admin')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await tasks.get(started.id)).progress).toMatchObject({ done: 1, total: 4 });
    const cancelled = await tasks.cancel(started.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', phase: 'waiting' });
    expect(cancelled.log?.[0]).toContain('started');
    expect(seen.at(-1)).toBe('cancelled');
    await expect(tasks.cancel(started.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const again = await tasks.start('wait', {}, 'admin');
    expect(again.status).toBe('running');
    await tasks.stop();
  });

  it('completes with the result, and forgets finished tasks after the retention', async () => {
    const { tasks, release, advance } = setup();
    const started = await tasks.start('wait', {}, 'admin');
    await expect(tasks.remove(started.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    release();
    expect(await tasks.wait(started.id)).toMatchObject({ status: 'completed', result: { ok: true } });
    expect((await tasks.list()).map((t) => t.id)).toEqual([started.id]);
    advance(3601 * 1000);
    expect(await tasks.list()).toEqual([]);
    await expect(tasks.get(started.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a running record its process lost is settled as failed: at once on a single-node store, after a stale heartbeat in a cluster', async () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    let now = start;
    const records = serverRecords(memoryKvStore());
    const left = (id: string, beat: number) =>
      records.tasks.put(id, {
        id,
        kind: 'wait',
        params: {},
        status: 'running',
        created_at: new Date(start).toISOString(),
        started_at: new Date(start).toISOString(),
        heartbeat_at: new Date(beat).toISOString(),
        owner_instance_id: 'a-killed-process',
      });
    await left('old', start);
    const single = createTaskService(records, [], noopLogger, {
      retentionSecs: () => 3600,
      now: () => now,
      singleNode: true,
    });
    expect(await single.get('old')).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') });
    expect((await records.tasks.get('old'))?.status).toBe('failed');

    const cluster = createTaskService(records, [], noopLogger, { retentionSecs: () => 3600, now: () => now });
    await left('elsewhere', start);
    // Another instance's task with a fresh heartbeat is running there: left alone.
    now = start + TASK_STALE_MS - 1000;
    expect((await cluster.list()).find((t) => t.id === 'elsewhere')?.status).toBe('running');
    await expect(cluster.cancel('elsewhere')).rejects.toThrow(/runs on another instance/);
    now = start + TASK_STALE_MS + 1000;
    expect((await cluster.list()).find((t) => t.id === 'elsewhere')?.status).toBe('failed');
  });

  it('a running task renews its heartbeat in its record', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const records = serverRecords(memoryKvStore());
      const w = waiter();
      const tasks = createTaskService(records, [taskKind(w.kind)], noopLogger, { retentionSecs: () => 3600 });
      const view = await tasks.start('wait', {}, 'admin');
      expect((await records.tasks.get(view.id))?.heartbeat_at).toBeUndefined();
      vi.advanceTimersByTime(TASK_HEARTBEAT_MS);
      await vi.waitFor(async () => expect((await records.tasks.get(view.id))?.heartbeat_at).toBeDefined());
      w.release();
      expect((await tasks.wait(view.id)).status).toBe('completed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('names why a task kind other products have is not needed', async () => {
    const { tasks } = setup();
    await expect(tasks.start('rebuild-dir-entries', {}, 'admin')).rejects.toThrow(/computed from the artifact records/);
    await expect(tasks.start('nonsense', {}, 'admin')).rejects.toThrow(/^no task kind nonsense$/);
  });
});
