import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { blake3Hex, runGcPass } from '@depot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForChildren, type LevelFsEngine, levelFsEngine, readBody } from './support.js';

// SIGKILL during GC passes, at different points of different passes, then reopen: nothing an
// artifact references is lost, no record points at a missing file, and ordinary passes
// afterwards still collect every orphan.
const CHILD = fileURLToPath(new URL('./fixtures/gc-loop.mjs', import.meta.url));
const KEEP = 1500;
const ORPHANS = 1500;
const ROUNDS = 6;
const MINUTE = 60_000;

const keepBody = (i: number) => `kept #${i} `.repeat(40 + (i % 60));
const orphanBody = (i: number) => `orphan #${i} `.repeat(40 + (i % 60));

/**
 * Runs the GC child until it starts pass `pass`, waits `delayMs`, then SIGKILLs it; whether the
 * kill landed inside that pass (it had not reported it done).
 */
async function killDuringPass(dir: string, clock: number, pass: number, delayMs: number): Promise<boolean> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, join(dir, 'kv'), join(dir, 'blobs'), String(clock)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let done = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`GC child too slow; stderr: ${stderr}`)), 90_000);
      child.once('exit', (code) => reject(new Error(`GC child exited early (${code}): ${stderr}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line === `done ${pass}`) done = true;
        if (line !== `pass ${pass}`) return;
        clearTimeout(timer);
        setTimeout(resolve, delayMs);
      });
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return !done;
}

async function storedBlobs(opened: LevelFsEngine): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await opened.blobs.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    out.push(...page.entries.map((b) => b.id));
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return out.sort();
}

describe('crash safety: SIGKILL during GC passes, then reopen', () => {
  let dir: string | undefined;
  let opened: LevelFsEngine | undefined;
  beforeAll(buildForChildren, 180_000);
  afterAll(async () => {
    await opened?.close();
  });

  it(`${ROUNDS} kills mid-pass lose nothing referenced; later passes still collect every orphan`, async () => {
    opened = await levelFsEngine('depot-gc-crash-');
    dir = opened.dir;
    const expected = new Map<string, string>();
    for (let i = 0; i < KEEP; i++) {
      const record = await opened.engine.put('hosted', `keep/k-${i}.txt`, keepBody(i));
      expected.set(`keep/k-${i}.txt`, record.hashes.blake3);
    }
    for (let i = 0; i < ORPHANS; i++) await opened.engine.put('hosted', `gone/o-${i}.txt`, orphanBody(i));
    for (let i = 0; i < ORPHANS; i++) await opened.engine.delete('hosted', `gone/o-${i}.txt`);
    const filesBefore = (await storedBlobs(opened)).length;
    expect(filesBefore).toBe(KEEP + ORPHANS);
    await opened.close({ keep: true });
    opened = undefined;

    // Each round's clock starts after every pass of the round before, so stages move forward.
    let clock = Date.now() + 10 * MINUTE;
    let midPass = 0;
    for (let round = 0; round < ROUNDS; round++) {
      if (await killDuringPass(dir, clock, round % 3, (round * 7) % 30)) midPass++;
      clock += 60 * MINUTE;
    }
    // The point of the test: most kills cut a pass short.
    expect(midPass).toBeGreaterThanOrEqual(ROUNDS / 2);

    opened = await levelFsEngine('', dir);
    const { engine, records, blobs } = opened;
    const check = async () => {
      for (const [path, blake3] of expected) {
        const read = await engine.get('hosted', path);
        expect(read, path).not.toBeNull();
        expect(blake3Hex(await readBody(read?.body ?? null)), path).toBe(blake3);
      }
      for await (const { record } of records.artifacts.scan()) expect(await blobs.head(record.blob_id)).not.toBeNull();
      for await (const { record } of records.blobs.scan()) expect(await blobs.head(record.blob_id)).not.toBeNull();
    };
    await check();
    const afterKills = (await storedBlobs(opened)).length;

    // Ordinary passes finish the job: exactly the referenced blobs are left.
    const stores = new Map([['default', blobs]]);
    for (let i = 0; i < 3; i++) {
      const now = clock + i * MINUTE;
      await runGcPass({ records, stores, minAgeMs: 1000, now: () => now });
    }
    const referenced = new Set<string>();
    for await (const { record } of records.artifacts.scan()) referenced.add(record.blob_id);
    expect(await storedBlobs(opened)).toEqual([...referenced].sort());
    expect(referenced.size).toBe(KEEP);
    await check();
    console.info(
      JSON.stringify({ gcCrash: { rounds: ROUNDS, midPass, filesBefore, afterKills, afterPasses: referenced.size } }),
    );
  }, 300_000);
});
