import { memoryKvStore, noopLogger } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from './audit-log.js';

function setup(enabled = true) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const kv = memoryKvStore();
  const log = createAuditLog(kv, noopLogger, { enabled: () => enabled, retentionDays: () => 90, now: () => now });
  const event = (actor: string, repo = 'r') =>
    log.record({ actor, action: 'PUT', target: `/repository/${repo}/x`, repo, outcome: 201 });
  return { kv, log, event, advance: (ms: number) => (now += ms) };
}

describe('audit log', () => {
  it('pages through matching events in time order with a cursor, across KV pages', async () => {
    const { log, event, advance } = setup();
    for (let i = 0; i < 2500; i++) {
      event(i % 2 === 0 ? 'even' : 'odd');
      advance(1);
    }
    await log.flush();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await log.query({ actor: 'odd' }, 300, cursor);
      seen.push(...page.events.map((e) => e.at));
      cursor = page.cursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(1250);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(1250);
    expect(pages).toBeGreaterThanOrEqual(5);
  });

  it('prunes what is older than the retention, keeps the rest', async () => {
    const { log, event, advance } = setup();
    event('old');
    advance(91 * 86_400_000);
    event('new');
    await log.flush();
    expect(await log.prune(Date.parse('2026-01-01T00:00:00Z') + 86_400_000)).toBe(1);
    const left = await log.query({}, 10);
    expect(left.events.map((e) => e.actor)).toEqual(['new']);
  });

  it('keeps events queued while the KV store fails, and writes them once it is back', async () => {
    const { kv, log, event } = setup();
    const batch = kv.batch.bind(kv);
    let down = true;
    kv.batch = async (ops) => {
      if (down) throw new Error('kv down');
      return batch(ops);
    };
    event('a');
    await log.flush();
    expect((await log.query({}, 10)).events).toEqual([]);
    down = false;
    await log.flush();
    expect((await log.query({}, 10)).events.map((e) => e.actor)).toEqual(['a']);
  });

  it('records nothing while disabled', async () => {
    const { log, event } = setup(false);
    event('a');
    await log.flush();
    expect((await log.query({}, 10)).events).toEqual([]);
  });
});
