import { noopLogger } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { startSupervisor } from './supervisor.js';
import type { BackgroundWorker } from './worker.js';

const waitsForAbort: BackgroundWorker = {
  name: 'steady',
  run: (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
};

describe('supervisor', () => {
  it('reports a worker that throws and one that returns early', async () => {
    const failed: string[] = [];
    const supervisor = startSupervisor(
      [
        waitsForAbort,
        { name: 'thrower', run: async () => Promise.reject(new Error('boom')) },
        { name: 'quitter', run: async () => {} },
      ],
      noopLogger,
      (name) => failed.push(name),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(failed.sort()).toEqual(['quitter', 'thrower']);
    await supervisor.stop();
  });

  it('stops every worker without reporting them', async () => {
    const failed: string[] = [];
    const supervisor = startSupervisor([waitsForAbort, waitsForAbort], noopLogger, (name) => failed.push(name));
    await supervisor.stop();
    expect(failed).toEqual([]);
  });
});
