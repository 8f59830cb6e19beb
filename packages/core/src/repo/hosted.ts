import type { ByteSource } from '../blob/blob-store.js';
import { DepotError, isDepotError } from '../errors/depot-error.js';
import { ingest } from '../ingest/ingest.js';
import { type ArtifactRecord, artifactId, type RepositoryRecord } from '../kv/records.js';
import { guessContentType } from './content-type.js';
import type { ArtifactRead, GetArtifactOptions, PutArtifactOptions } from './engine.js';
import { type EngineContext, isoNow } from './engine-context.js';
import { openLocal } from './local-read.js';

/** Stores `body` at `path` of a hosted repository. */
export async function putHosted(
  ctx: EngineContext,
  repo: RepositoryRecord,
  path: string,
  body: ByteSource,
  options: PutArtifactOptions,
): Promise<ArtifactRecord> {
  const id = artifactId(repo.name, path);
  // A caller asking for put-if-absent keeps it strictly: it may roll back "its" file on a later
  // failure, so the same bytes already there must be its CONFLICT too, never a shared success.
  const strict = options.overwrite === false;
  // `allow_once` stores a path once; bookkeeping (`internal`) paths stay the format's business.
  const once = repo.write_policy === 'allow_once' && options.internal !== true && !strict;
  const overwrite = !once && !strict;
  // Fail fast before reading the body when the version is immutable and already there (under
  // `allow_once` the body is read first: the same bytes again are accepted as a no-op).
  if (strict && (await ctx.records.artifacts.get(id)) !== null) {
    throw new DepotError('CONFLICT', 'artifact already exists', { details: { repo: repo.name, path } });
  }
  const store = await ctx.blobStore(repo.store);
  const stored = await ingest(store, ctx.records, repo.store, body, {
    ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
    ...(options.expected === undefined ? {} : { expected: options.expected }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(options.sizeHint === undefined ? {} : { sizeHint: options.sizeHint }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    now: ctx.now,
  });
  const at = isoNow(ctx);
  const base: ArtifactRecord = {
    repo: repo.name,
    path,
    store: repo.store,
    blob_id: stored.blobId,
    size: stored.size,
    content_type: options.contentType ?? guessContentType(path),
    hashes: stored.hashes,
    created_at: at,
    updated_at: at,
    last_accessed_at: at,
    ...(options.meta === undefined ? {} : { meta: options.meta }),
    ...(options.internal === undefined ? {} : { internal: options.internal }),
  };
  const committed = once ? await commitOnce(ctx, id, base) : await commitArtifact(ctx, id, base, overwrite);
  for (const alias of options.alsoAt ?? []) {
    const { meta: _main, ...shared } = base;
    const record = { ...shared, path: alias.path, ...(alias.meta === undefined ? {} : { meta: alias.meta }) };
    const aliasId = artifactId(repo.name, alias.path);
    if (once) await commitOnce(ctx, aliasId, record);
    else await commitArtifact(ctx, aliasId, record, true);
  }
  return committed;
}

/**
 * The `allow_once` commit: put-if-absent; when the path is taken by the same bytes the held
 * record is the answer (a retried publish succeeds), by other bytes it is `CONFLICT`. The blob
 * just ingested for a refused write is left to GC like any unreferenced blob.
 */
async function commitOnce(ctx: EngineContext, id: string, record: ArtifactRecord): Promise<ArtifactRecord> {
  try {
    return await commitArtifact(ctx, id, record, false);
  } catch (err) {
    if (!isDepotError(err, 'CONFLICT')) throw err;
    const held = await ctx.records.artifacts.get(id);
    if (held !== null && held.hashes.blake3 === record.hashes.blake3) return held;
    throw new DepotError('CONFLICT', `${record.path} already exists and the repository's write_policy is allow_once`, {
      details: { repo: record.repo, path: record.path, write_policy: 'allow_once' },
    });
  }
}

/**
 * Writes an artifact record. `overwrite: false` is a put-if-absent (a lost race is `CONFLICT`);
 * otherwise a compare-and-swap that keeps the original `created_at` (F10: last writer wins, never a
 * mix). When another writer replaces the record between our read and our swap, our write is ordered
 * just before theirs: it is overwritten at once, exactly as if it had landed first, so the caller
 * still succeeds (retrying instead starved writers under heavy contention on one path).
 */
export async function commitArtifact(
  ctx: EngineContext,
  id: string,
  record: ArtifactRecord,
  overwrite: boolean,
): Promise<ArtifactRecord> {
  try {
    return await writeRecord(ctx, id, record, overwrite);
  } finally {
    ctx.artifactRecords.delete(id);
  }
}

async function writeRecord(
  ctx: EngineContext,
  id: string,
  record: ArtifactRecord,
  overwrite: boolean,
): Promise<ArtifactRecord> {
  if (!overwrite) {
    await ctx.records.artifacts.putIfVersion(id, record, null);
    return record;
  }
  const current = await ctx.records.artifacts.getVersioned(id);
  const next = current === null ? record : { ...record, created_at: current.record.created_at };
  try {
    await ctx.records.artifacts.putIfVersion(id, next, current?.version ?? null);
  } catch (err) {
    if (!isDepotError(err, 'CONFLICT')) throw err;
  }
  return next;
}

/**
 * Reads an artifact of a hosted repository (no upstream). The record may come from the engine's
 * short-lived record cache; when its blob is gone (another instance replaced the artifact and GC
 * ran), the record is re-read once from KV before the read counts as broken.
 */
export async function getHosted(
  ctx: EngineContext,
  repo: RepositoryRecord,
  path: string,
  options: GetArtifactOptions,
): Promise<ArtifactRead | null> {
  const id = artifactId(repo.name, path);
  const cached = ctx.artifactRecords.get(id);
  let record = cached ?? (await ctx.artifactRecords.load(id, (key) => ctx.records.artifacts.get(key)));
  if (record === null) return null;
  let read = await openLocal(ctx, repo, record, options, 'local');
  if (read === null && cached !== undefined) {
    ctx.artifactRecords.delete(id);
    record = await ctx.records.artifacts.get(id);
    if (record === null) return null;
    read = await openLocal(ctx, repo, record, options, 'local');
  }
  if (read === null) {
    throw new DepotError('DATA_INTEGRITY_ERROR', 'artifact points at a missing blob', {
      details: { repo: repo.name, path, blob_id: record.blob_id },
    });
  }
  return read;
}
