import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { blake3Hex, createBlake3, createRepositoryEngine, depotRecords } from '@depot/core';
import { fsBlobStore } from '@depot/store-fs';
import { levelKvStore } from '@depot/store-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyIndex, bodyOf } from './fixtures/payload.mjs';
import { blobFiles, buildForChildren, readBody } from './support.js';

const CHILD = fileURLToPath(new URL('./fixtures/ingest-loop.mjs', import.meta.url));
const ROUNDS = 3;
const ACKS_BEFORE_KILL = 25;
const WORKERS = 4;

interface Ack {
  readonly path: string;
  readonly n: number;
  readonly size: number;
  readonly blake3: string;
}

/** Runs the child until it acknowledged `acks` puts, then SIGKILLs it mid-flight. */
async function runAndKill(kvPath: string, blobRoot: string, round: number): Promise<Ack[]> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, kvPath, blobRoot, String(round), String(WORKERS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const acks: Ack[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child too slow; stderr: ${stderr}`)), 90_000);
      child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line === 'ready') return;
        acks.push(JSON.parse(line) as Ack);
        if (acks.length >= ACKS_BEFORE_KILL) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return [...acks];
}

async function blake3OfBody(n: number): Promise<string> {
  const h = createBlake3();
  for await (const chunk of bodyOf(n)) h.update(chunk);
  return h.digestHex();
}

describe('crash safety: SIGKILL during ingest, then reopen', () => {
  let dir: string;
  beforeAll(buildForChildren, 180_000);
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(`${ROUNDS} rounds of kill -9 mid-ingest lose no acknowledged artifact and leave nothing partial`, async () => {
    dir = await mkdtemp(join(tmpdir(), 'depot-crash-'));
    const kvPath = join(dir, 'kv');
    const blobRoot = join(dir, 'blobs');
    const acked: Ack[] = [];
    let tempLeftovers = 0;
    for (let round = 0; round < ROUNDS; round++) {
      acked.push(...(await runAndKill(kvPath, blobRoot, round)));
      tempLeftovers += (await readdir(join(blobRoot, '.tmp'))).length;
    }
    const kv = await levelKvStore({ path: kvPath });
    const blobs = await fsBlobStore({ root: blobRoot });
    try {
      // Temp files of the killed writers are gone after reopening.
      expect(await readdir(join(blobRoot, '.tmp'))).toEqual([]);
      const records = depotRecords(kv);
      const engine = createRepositoryEngine({
        records,
        blobStore: async () => blobs,
        fetch: () => Promise.reject(new Error('no upstream')),
        cachePolicy: () => undefined,
      });

      // Every acknowledged artifact reads back intact.
      for (const ack of acked) {
        expect(ack.blake3).toBe(await blake3OfBody(ack.n));
        const read = await engine.get('crash', ack.path);
        expect(read?.record.size).toBe(ack.size);
        expect(blake3Hex(await readBody(read?.body ?? null))).toBe(ack.blake3);
      }

      // No partial blob outside .tmp: every blob file is one complete generated body.
      // Indices a killed child may have started: up to a few past its last acknowledged one.
      const complete = new Set<string>();
      for (let round = 0; round < ROUNDS; round++) {
        const indices = acked
          .filter((a) => a.path.startsWith(`r${round}/`))
          .map((a) => Number(/a-(\d+)/.exec(a.path)?.[1]));
        for (let i = round * 1000; i <= Math.max(...indices) + 2 * WORKERS; i++)
          complete.add(await blake3OfBody(bodyIndex(i)));
      }
      const files = await blobFiles(blobRoot);
      for (const file of files) expect(complete.has(blake3Hex(await readFile(join(blobRoot, file))))).toBe(true);

      // No record points at a missing blob.
      let artifacts = 0;
      for await (const { record } of records.artifacts.scan()) {
        artifacts++;
        expect(await blobs.head(record.blob_id)).toEqual({ size: record.size });
      }
      for await (const { record } of records.blobs.scan()) expect(await blobs.head(record.blob_id)).not.toBeNull();
      expect(artifacts).toBeGreaterThanOrEqual(acked.length);

      // The store keeps working after recovery.
      const again = await engine.put('crash', 'after/recovery.bin', bodyOf(1));
      expect(again.hashes.blake3).toBe(await blake3OfBody(1));
      console.info(
        JSON.stringify({
          crashTest: { rounds: ROUNDS, acked: acked.length, artifacts, blobFiles: files.length, tempLeftovers },
        }),
      );
    } finally {
      await kv.close();
      await blobs.close?.();
    }
  }, 300_000);
});
