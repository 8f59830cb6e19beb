import { type FormatWorker, noopLogger } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { formatWorkerLoop } from './format-workers.js';

describe('format workers', () => {
  it('run every interval, survive a failing pass, and stop on abort', async () => {
    let passes = 0;
    const worker: FormatWorker = {
      name: 'flaky',
      intervalMs: 5,
      async run() {
        passes++;
        if (passes === 1) throw new Error('first pass fails');
      },
    };
    const loop = formatWorkerLoop('acme', worker, noopLogger);
    expect(loop.name).toBe('acme:flaky');
    const controller = new AbortController();
    const running = loop.run(controller.signal);
    const deadline = Date.now() + 2_000;
    while (passes < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await running;
    expect(passes).toBeGreaterThanOrEqual(3);
  });
});
