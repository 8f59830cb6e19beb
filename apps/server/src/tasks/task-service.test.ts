import { memoryKvStore, noopLogger } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { serverRecords } from '../records/server-records.js';
import { createTaskService, type TaskKind, taskKind } from './task-service.js';

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
});
