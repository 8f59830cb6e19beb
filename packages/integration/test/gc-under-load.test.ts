import { runGcPass } from '@depot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LevelFsEngine, levelFsEngine, readBody } from './support.js';

// GC safety under load (real LevelDB + file store): 16 clients upload and delete for a while —
// drawing contents from a small pool, so uploads keep deduplicating onto blobs GC is collecting —
// while GC passes run back to back. Afterwards every artifact still listed downloads intact, and
// once the uploads have stopped, three more passes leave no orphan behind.
const SECONDS = Number(process.env.DEPOT_GC_LOAD_SECS ?? 60);
const CLIENTS = 16;
const POOL = Array.from({ length: 24 }, (_, i) => `content #${i} `.repeat(50 + i * 7));

describe('blob GC under concurrent uploads and deletes', () => {
  let opened: LevelFsEngine;
  beforeAll(async () => {
    opened = await levelFsEngine('depot-gc-load-');
  });
  afterAll(async () => {
    await opened.close();
  });

  it(`keeps every listed artifact intact while GC runs for ${SECONDS} s, and collects every orphan afterwards`, {
    timeout: (SECONDS + 120) * 1000,
  }, async () => {
    const { engine, records, blobs } = opened;
    const expected = new Map<string, string>();
    const until = Date.now() + SECONDS * 1000;
    const stores = new Map([['default', blobs]]);
    // An upload writes its blob a moment before its records: a blob younger than this is never a
    // candidate. Two seconds is far more than any upload here takes.
    const pass = (now = Date.now()) => runGcPass({ records, stores, minAgeMs: 2000, now: () => now });
    let ops = 0;
    const client = async (id: number): Promise<void> => {
      let n = 0;
      while (Date.now() < until) {
        const path = `c${id}/f${n % 12}.txt`;
        n++;
        if (n % 3 === 0 && expected.has(path)) {
          await engine.delete('hosted', path);
          expected.delete(path);
        } else {
          const content = POOL[(id * 7 + n) % POOL.length] as string;
          await engine.put('hosted', path, content);
          expected.set(path, content);
        }
        ops++;
      }
    };
    let passes = 0;
    const collector = async (): Promise<void> => {
      while (Date.now() < until) {
        await pass();
        passes++;
      }
    };
    await Promise.all([collector(), ...Array.from({ length: CLIENTS }, (_, i) => client(i))]);
    expect(passes).toBeGreaterThan(3);
    expect(ops).toBeGreaterThan(CLIENTS * 10);

    // Every artifact the clients left behind reads back exactly.
    const listed = (await engine.list('hosted', { limit: 10_000 })).artifacts.map((a) => a.path).sort();
    expect(listed).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) {
      const read = await engine.get('hosted', path);
      expect(read, path).not.toBeNull();
      expect(new TextDecoder().decode(await readBody(read?.body ?? null)), path).toBe(content);
    }
    // With the writers stopped (and past the minimum age), three passes collect every orphan.
    for (let i = 1; i <= 3; i++) await pass(Date.now() + i * 60_000 + 10_000);
    const referenced = new Set((await engine.list('hosted', { limit: 10_000 })).artifacts.map((a) => a.blob_id));
    const stored: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await blobs.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      stored.push(...page.entries.map((b) => b.id));
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    expect(stored.sort()).toEqual([...referenced].sort());
  });
});
