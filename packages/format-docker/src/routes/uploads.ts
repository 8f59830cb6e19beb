import { randomUUID } from 'node:crypto';
import type { FormatResponse, MountRequest, RepositoryRecord } from '@depot/core';
import type { DockerDeps, Target } from '../deps.js';
import { parseDigest } from '../names.js';
import { resolveTarget } from '../resolve.js';
import { blobPath } from '../store/paths.js';
import { findBlob } from '../store/read.js';
import { maxBlobBytes } from '../uploads/limit.js';
import { sessionId, UPLOAD_KIND, type UploadState, uploadRange } from '../uploads/sessions.js';
import { storeBlob } from '../uploads/store-blob.js';
import { reply } from './response.js';

const created = (t: Target, digest: string): FormatResponse =>
  reply(201, { Location: `/v2/${t.name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': '0' });

/** Headers describing an open session. */
export const sessionHeaders = (t: Target, uuid: string, offset: number): Record<string, string> => ({
  Location: `/v2/${t.name}/blobs/uploads/${uuid}`,
  'Docker-Upload-UUID': uuid,
  Range: uploadRange(offset),
  'Content-Length': '0',
});

async function openSession(deps: DockerDeps, repo: RepositoryRecord, t: Target): Promise<FormatResponse> {
  const id = randomUUID();
  const at = new Date(deps.now()).toISOString();
  const state: UploadState = { image: t.image, offset: 0, parts: 0 };
  await deps.kv.uploads.putIfVersion(
    sessionId(repo.name, id),
    { id, repo: repo.name, kind: UPLOAD_KIND, state: { ...state }, created_at: at, updated_at: at },
    null,
  );
  return reply(202, sessionHeaders(t, id, 0));
}

/**
 * Cross-repository mount (distribution-spec "Mounting a blob from another repository"): 201 when
 * the blob is already here, or readable in `from` (copied by reference: ingest deduplicates the
 * bytes by BLAKE3); otherwise `null`, and the caller opens a normal session (202).
 */
async function tryMount(
  deps: DockerDeps,
  req: MountRequest,
  repo: RepositoryRecord,
  t: Target,
): Promise<FormatResponse | null> {
  const digest = parseDigest(req.query.get('mount') ?? '');
  if ((await deps.engine.stat(repo.name, blobPath(digest.text))) !== null) return created(t, digest.text);
  const from = req.query.get('from');
  if (from === null) return null;
  let source: Target;
  try {
    source = await resolveTarget(deps, req, from);
  } catch {
    return null;
  }
  if (!req.principal.can('read', source.repo.name)) return null;
  const read = await findBlob(deps, source, digest.text, { headOnly: false });
  if (read?.body == null) return null;
  await storeBlob(deps, repo.name, digest, read.body, { signal: req.signal });
  return created(t, digest.text);
}

/** `POST /v2/<name>/blobs/uploads/`: a mount, a monolithic upload (`?digest=`), or a new session. */
export async function startUpload(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  repo: RepositoryRecord,
): Promise<FormatResponse> {
  if (req.query.has('mount')) {
    const mounted = await tryMount(deps, req, repo, t);
    if (mounted !== null) return mounted;
    return openSession(deps, repo, t);
  }
  const digestText = req.query.get('digest');
  if (digestText !== null) {
    const digest = parseDigest(digestText);
    await storeBlob(deps, repo.name, digest, req.body, { signal: req.signal, maxBytes: maxBlobBytes(deps) });
    return created(t, digest.text);
  }
  return openSession(deps, repo, t);
}
