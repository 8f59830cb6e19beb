import type { KvStore, RepositoryEngine } from '@depot/core';
import { ociError } from '../errors.js';
import { type DockerKv, dockerKv, type UploadSessionRecord } from '../store/kv.js';
import { uploadPartPath } from '../store/paths.js';

/** `UploadSessionRecord.kind` of Docker blob uploads. */
export const UPLOAD_KIND = 'docker-blob';
/** Sessions idle longer than this are reaped (prototype-inventory §1.5). */
export const UPLOAD_IDLE_MS = 60 * 60 * 1000;

/** What a Docker upload session keeps in `state`. */
export interface UploadState {
  readonly image: string;
  /** Bytes received so far (the next chunk must start here). */
  readonly offset: number;
  /** Chunks stored so far, as `_uploads/<uuid>/<index>` artifacts of the repository. */
  readonly parts: number;
}

/** A loaded session with the KV version it was read at (updates are compare-and-swap). */
export interface LoadedSession {
  readonly record: UploadSessionRecord;
  readonly state: UploadState;
  readonly version: string;
}

/** The id of session `uuid` of `repo` in {@link DockerKv.uploads} (drained with the repository). */
export const sessionId = (repo: string, uuid: string): string => `${repo}/${uuid}`;

/** Loads a session of `repo`/`image`; anything else is `BLOB_UPLOAD_UNKNOWN`. */
export async function loadSession(kv: DockerKv, uuid: string, repo: string, image: string): Promise<LoadedSession> {
  const found = /^[0-9a-f-]{36}$/.test(uuid) ? await kv.uploads.getVersioned(sessionId(repo, uuid)) : null;
  const state = found?.record.state as UploadState | undefined;
  if (found === null || found.record.kind !== UPLOAD_KIND || found.record.repo !== repo || state?.image !== image) {
    throw ociError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { detail: { uuid } });
  }
  return { record: found.record, state, version: found.version };
}

/** The `Range` header of an upload: the inclusive range received so far (`0-0` when empty). */
export const uploadRange = (offset: number): string => `0-${Math.max(0, offset - 1)}`;

/** Deletes a session's stored chunks and its record. */
export async function dropSession(kv: DockerKv, engine: RepositoryEngine, record: UploadSessionRecord): Promise<void> {
  const state = record.state as Partial<UploadState>;
  for (let i = 0; i < (state.parts ?? 0); i++)
    await engine.delete(record.repo, uploadPartPath(record.id, i)).catch(() => false);
  await kv.uploads.delete(sessionId(record.repo, record.id));
}

/**
 * Removes Docker upload sessions idle for more than `maxIdleMs` (default 1 h) and their chunks.
 * `namespace` is the format's KV namespace (`FormatContext.kv`); `maxIdleMs = 0` at startup reaps
 * every session. Returns how many sessions were removed.
 */
export async function reapUploadSessions(
  namespace: KvStore,
  engine: RepositoryEngine,
  now: number = Date.now(),
  maxIdleMs: number = UPLOAD_IDLE_MS,
): Promise<number> {
  const kv = dockerKv(namespace);
  const stale: UploadSessionRecord[] = [];
  for await (const { record } of kv.uploads.scan()) {
    if (record.kind === UPLOAD_KIND && now - Date.parse(record.updated_at) >= maxIdleMs) stale.push(record);
  }
  for (const record of stale) await dropSession(kv, engine, record);
  return stale.length;
}
