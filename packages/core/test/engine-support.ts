// Helpers shared by core's tests; under test/, so the package build never ships them.
import type { ByteSource } from '../src/blob/blob-store.js';
import { isDepotError } from '../src/errors/depot-error.js';
import type { RepositoryRecord } from '../src/kv/records.js';
import type { ArtifactRead } from '../src/repo/engine.js';

const enc = new TextEncoder();

/** A one-chunk body. */
export async function* source(text: string | Uint8Array): ByteSource {
  yield typeof text === 'string' ? enc.encode(text) : text;
}

/** The body of a read as UTF-8 (empty for `null` or a HEAD read). */
export async function text(read: ArtifactRead | null): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of read?.body ?? source('')) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

/** The DepotError code a promise rejects with, `resolved` when it does not. */
export async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isDepotError(err) ? err.code : `non-depot: ${String(err)}`;
  }
}

/** A hosted raw repository record in store `main`, with overrides. */
export const repo = (name: string, extra: Partial<RepositoryRecord> = {}): RepositoryRecord => ({
  name,
  repo_type: 'hosted',
  format: 'raw',
  store: 'main',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  ...extra,
});

/** The DepotError code and `details.field` a promise rejects with (`resolved` when it does not). */
export async function failure(p: Promise<unknown>): Promise<{ code: string; field?: unknown }> {
  try {
    await p;
    return { code: 'resolved' };
  } catch (err) {
    if (!isDepotError(err)) return { code: `non-depot: ${String(err)}` };
    return err.details?.field === undefined ? { code: err.code } : { code: err.code, field: err.details.field };
  }
}
