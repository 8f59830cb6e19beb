import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource, RepositoryRecord } from '@depot/core';

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
