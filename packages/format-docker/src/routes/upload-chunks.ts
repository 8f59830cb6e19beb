import {
  type ByteSource,
  type FormatResponse,
  isDepotError,
  type MountRequest,
  type RepositoryRecord,
} from '@depot/core';
import { peek, tooLarge } from '../bytes.js';
import { DEFAULT_MAX_CHUNKS, type DockerDeps, SETTING_MAX_CHUNKS, type Target } from '../deps.js';
import { ociError } from '../errors.js';
import { parseDigest } from '../names.js';
import { uploadPartPath } from '../store/paths.js';
import { declaredLength, maxBlobBytes } from '../uploads/limit.js';
import { dropSession, type LoadedSession, loadSession, sessionId, type UploadState } from '../uploads/sessions.js';
import { storeBlob } from '../uploads/store-blob.js';
import { reply } from './response.js';
import { sessionHeaders } from './uploads.js';

/** 416 with the current `Range`, so the client can resume (distribution-spec "Pushing a blob in chunks"). */
const outOfOrder = (t: Target, s: LoadedSession) =>
  ociError('BLOB_UPLOAD_INVALID', 'chunk does not start at the current upload offset', {
    status: 416,
    headers: sessionHeaders(t, s.record.id, s.state.offset),
    detail: { offset: s.state.offset },
  });

/** Checks `Content-Range: <start>-<end>` against the session offset. */
function checkContentRange(header: string | undefined, t: Target, s: LoadedSession): void {
  if (header === undefined) return;
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/\d+|\/\*)?$/.exec(header.trim());
  if (m === null || Number(m[1]) !== s.state.offset || Number(m[2]) < Number(m[1])) throw outOfOrder(t, s);
}

/**
 * An upload whose running total passes `max_artifact_bytes` ends there: the session and every
 * stored part are dropped, and the answer is 413 `SIZE_INVALID` (the client must start over).
 */
async function refuseTooLarge(deps: DockerDeps, s: LoadedSession, max: number): Promise<never> {
  await dropSession(deps.kv, deps.engine, s.record);
  throw tooLarge('upload', max);
}

/** Whether `err` says a body passed a size limit (the request's, a part's, or the blob's). */
const isTooLarge = (err: unknown): boolean =>
  isDepotError(err, 'PAYLOAD_TOO_LARGE') || (isDepotError(err) && err.details?.oci === 'SIZE_INVALID');

/** Refuses, before a byte is read, a body whose declared length takes the session past the limit. */
function checkDeclared(deps: DockerDeps, req: MountRequest, s: LoadedSession): void {
  const max = maxBlobBytes(deps);
  const declared = declaredLength(req.headers);
  if (declared !== null && s.state.offset + declared > max) throw tooLarge('upload', max);
}

/**
 * Stores one chunk as the session's next part and advances the offset by compare-and-swap. A lost
 * race (two PATCHes at once, on any instance) drops the part and answers 416. The part may hold
 * only what is left of `max_artifact_bytes` after the bytes already received: one byte more and
 * the whole session is dropped (413), whether the chunk came with a length or streamed.
 */
async function appendChunk(deps: DockerDeps, t: Target, s: LoadedSession, body: ByteSource): Promise<LoadedSession> {
  const max = deps.ctx.settings()[SETTING_MAX_CHUNKS];
  if (s.state.parts >= (typeof max === 'number' && max > 0 ? max : DEFAULT_MAX_CHUNKS)) {
    throw ociError('BLOB_UPLOAD_INVALID', 'too many chunks in this upload', { detail: { max } });
  }
  const limit = maxBlobBytes(deps);
  const path = uploadPartPath(s.record.id, s.state.parts);
  const part = await deps.engine.put(s.record.repo, path, body, {
    internal: true,
    contentType: 'application/octet-stream',
    maxBytes: limit - s.state.offset,
  });
  const state: UploadState = { image: s.state.image, offset: s.state.offset + part.size, parts: s.state.parts + 1 };
  const record = { ...s.record, state: { ...state }, updated_at: new Date(deps.now()).toISOString() };
  try {
    const version = await deps.kv.uploads.putIfVersion(sessionId(s.record.repo, s.record.id), record, s.version);
    return { record, state, version };
  } catch (err) {
    await deps.engine.delete(s.record.repo, path).catch(() => false);
    if (isDepotError(err, 'CONFLICT')) throw outOfOrder(t, s);
    throw err;
  }
}

/** Streams the stored parts in order, then `tail`; each part is read once (re-streamed at finalize). */
async function* assemble(deps: DockerDeps, s: LoadedSession, tail: ByteSource | null): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < s.state.parts; i++) {
    const read = await deps.engine.get(s.record.repo, uploadPartPath(s.record.id, i));
    if (read?.body == null) throw ociError('BLOB_UPLOAD_UNKNOWN', 'upload chunk is missing');
    yield* read.body;
  }
  if (tail !== null) yield* tail;
}

/**
 * `PATCH|PUT|GET|DELETE /v2/<name>/blobs/uploads/<uuid>`. Chunks are persisted as parts so any
 * instance can continue the session. A running hash state cannot move between instances, so the
 * final PUT streams the parts (plus an optional last chunk) once through a hashing ingest that
 * verifies the digest before the blob becomes visible.
 */
export async function continueUpload(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  repo: RepositoryRecord,
  uuid: string,
): Promise<FormatResponse> {
  const session = await loadSession(deps.kv, uuid, repo.name, t.image);
  try {
    return await sessionRequest(deps, req, t, repo, session);
  } catch (err) {
    if (isTooLarge(err)) await refuseTooLarge(deps, session, maxBlobBytes(deps));
    throw err;
  }
}

/** One request on a loaded session; a size-limit failure is turned into a dropped session by the caller. */
async function sessionRequest(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  repo: RepositoryRecord,
  session: LoadedSession,
): Promise<FormatResponse> {
  const uuid = session.record.id;
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return reply(204, sessionHeaders(t, uuid, session.state.offset));
    case 'DELETE':
      await dropSession(deps.kv, deps.engine, session.record);
      return reply(204, { 'Content-Length': '0' });
    case 'PATCH': {
      checkContentRange(req.headers['content-range'], t, session);
      checkDeclared(deps, req, session);
      const body = await peek(req.body);
      const next = body === null ? session : await appendChunk(deps, t, session, body);
      return reply(202, sessionHeaders(t, uuid, next.state.offset));
    }
    case 'PUT': {
      const digest = parseDigest(req.query.get('digest') ?? '');
      checkDeclared(deps, req, session);
      const tail = await peek(req.body);
      if (tail !== null) checkContentRange(req.headers['content-range'], t, session);
      // A monolithic PUT (no stored parts) streams the body straight through, one layer fewer.
      const body = session.state.parts === 0 && tail !== null ? tail : assemble(deps, session, tail);
      await storeBlob(deps, repo.name, digest, body, { signal: req.signal, maxBytes: maxBlobBytes(deps) });
      await dropSession(deps.kv, deps.engine, session.record);
      return reply(201, {
        Location: `/v2/${t.name}/blobs/${digest.text}`,
        'Docker-Content-Digest': digest.text,
        'Content-Length': '0',
      });
    }
    default:
      throw ociError('UNSUPPORTED', 'method not allowed');
  }
}
