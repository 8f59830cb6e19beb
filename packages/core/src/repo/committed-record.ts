import type { ArtifactRecord } from '../kv/records.js';
import type { ArtifactRead } from './engine.js';

/** Reads whose record is provisional (a cache fill streamed while stored) → the commit promise. */
const pending = new WeakMap<ArtifactRead, Promise<ArtifactRecord>>();

/** Marks `read` as provisional until `committed` settles (engine-internal). */
export function markProvisional(read: ArtifactRead, committed: Promise<ArtifactRecord>): ArtifactRead {
  pending.set(read, committed);
  return read;
}

/**
 * True when `read.record` is provisional: a cache miss streamed to the caller while it is stored.
 * Its `size` and `content_type` are final (the size is enforced against Content-Length), but
 * `blob_id` and `hashes` are empty until the body has been consumed and the copy committed — so do
 * not derive an ETag or digest headers from it.
 */
export function isProvisional(read: ArtifactRead): boolean {
  return pending.has(read);
}

/**
 * The committed record behind `read`: for a provisional read, resolves once the streamed copy is
 * committed (rejects when it fails verification); otherwise `read.record` itself.
 */
export function whenCommitted(read: ArtifactRead): Promise<ArtifactRecord> {
  return pending.get(read) ?? Promise.resolve(read.record);
}
