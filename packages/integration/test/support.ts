import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BlobStore,
  type ByteSource,
  createRepositoryEngine,
  type DepotRecords,
  depotRecords,
  type KvStore,
  type RepositoryEngine,
  type RepositoryRecord,
} from '@depot/core';
import { fsBlobStore } from '@depot/store-fs';
import { levelKvStore } from '@depot/store-level';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Builds the packages the crash children import (plain node on `dist`, no TypeScript loader).
 * tsc still emits when another package has a type error; only a missing output fails.
 */
export function buildForChildren(): void {
  try {
    execFileSync(
      'pnpm',
      ['--filter', '@depot/core', '--filter', '@depot/store-level', '--filter', '@depot/store-fs', 'run', 'build'],
      { cwd: REPO_ROOT, stdio: 'pipe' },
    );
  } catch (err) {
    for (const pkg of ['core', 'store-level', 'store-fs']) {
      if (!existsSync(join(REPO_ROOT, 'packages', pkg, 'dist', 'index.js'))) throw err;
    }
  }
}

/** A hosted raw repository on store `default`. */
export const hostedRepo = (name: string): RepositoryRecord => ({
  name,
  repo_type: 'hosted',
  format: 'raw',
  store: 'default',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
});

/** Every file under a file store's fan-out directories (`.tmp` excluded), as relative paths. */
export async function blobFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const outer of await readdir(root)) {
    if (outer === '.tmp') continue;
    for (const inner of await readdir(join(root, outer))) {
      for (const file of await readdir(join(root, outer, inner))) out.push(join(outer, inner, file));
    }
  }
  return out.sort();
}

/** Concatenates a body (small test bodies only). */
export async function readBody(body: ByteSource | null): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body ?? []) parts.push(part);
  return Buffer.concat(parts);
}

/** A LevelDB KV and a file blob store in a fresh temp directory, a hosted repository `hosted`, and an engine over them. */
export interface LevelFsEngine {
  readonly dir: string;
  readonly kv: KvStore;
  readonly blobs: BlobStore;
  readonly records: DepotRecords;
  readonly engine: RepositoryEngine;
  /** Closes the stores and removes the directory (kept with `keep`, to reopen it). */
  close(options?: { readonly keep?: boolean }): Promise<void>;
}

/** Opens a {@link LevelFsEngine} (`prefix` names the temp directory), or reopens `existing`. */
export async function levelFsEngine(prefix: string, existing?: string): Promise<LevelFsEngine> {
  const dir = existing ?? (await mkdtemp(join(tmpdir(), prefix)));
  const kv = await levelKvStore({ path: join(dir, 'kv') });
  const blobs = await fsBlobStore({ root: join(dir, 'blobs') });
  const records = depotRecords(kv);
  await records.repositories.put('hosted', hostedRepo('hosted'));
  const engine = createRepositoryEngine({
    records,
    blobStore: async () => blobs,
    fetch: () => Promise.reject(new Error('no upstream')),
    cachePolicy: () => undefined,
  });
  return {
    dir,
    kv,
    blobs,
    records,
    engine,
    async close(options) {
      await kv.close();
      await blobs.close?.();
      if (options?.keep !== true) await rm(dir, { recursive: true, force: true });
    },
  };
}
