import { discardBody, type FormatResponse, isDepotError, type MountRequest, type RepositoryRecord } from '@depot/core';
import type { DockerDeps, Target } from '../deps.js';
import { ociError } from '../errors.js';
import { accepts } from '../media-types.js';
import { checkTag, looksLikeDigest, parseDigest } from '../names.js';
import { isImmutableTag } from '../options.js';
import { requireAccess } from '../resolve.js';
import { unmarkBlobRefs } from '../store/blob-refs.js';
import type { ManifestMeta } from '../store/hosted.js';
import { manifestPath, tagPath, tagPrefix } from '../store/paths.js';
import { findManifest } from '../store/read.js';
import { reply } from './response.js';

/** Validates a manifest reference: a digest or a tag. */
export function checkReference(ref: string): { digest: boolean } {
  if (looksLikeDigest(ref)) {
    parseDigest(ref);
    return { digest: true };
  }
  checkTag(ref);
  return { digest: false };
}

const unknown = (ref: string) => ociError('MANIFEST_UNKNOWN', 'manifest unknown', { detail: { reference: ref } });

/**
 * `GET|HEAD /v2/<name>/manifests/<ref>`: the stored bytes verbatim. By tag the stored type must be
 * acceptable to the client (every Accept line counts; no conversion: 404 otherwise); by digest
 * negotiation is skipped (prototype-inventory §10.4).
 */
export async function getManifest(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  ref: string,
): Promise<FormatResponse> {
  requireAccess(req, 'read', t.repo.name);
  const { digest: byDigest } = checkReference(ref);
  const head = req.method === 'HEAD';
  const hit = await findManifest(deps, t, ref, head);
  if (hit === null) throw unknown(ref);
  if (!byDigest && !accepts(req.headers.accept, hit.mediaType)) {
    await discardBody(hit.body);
    throw unknown(ref);
  }
  const headers = {
    'Content-Type': hit.mediaType,
    'Content-Length': String(hit.size),
    'Docker-Content-Digest': hit.digest,
    ETag: `"${hit.digest}"`,
  };
  return reply(200, headers, head ? null : hit.body);
}

/**
 * The hosted repository a write or delete to `repo` applies to (`UNSUPPORTED` for caches). Through a
 * proxy, that member must allow the caller `action` too: `DENIED` (`UNAUTHORIZED` when anonymous).
 */
export async function writableRepo(
  deps: DockerDeps,
  req: MountRequest,
  repo: RepositoryRecord,
  action: 'write' | 'delete',
): Promise<RepositoryRecord> {
  if (repo.repo_type === 'hosted') return repo;
  if (repo.repo_type === 'cache') throw ociError('UNSUPPORTED', 'cache repositories are read-only');
  let target: RepositoryRecord;
  try {
    target = await deps.engine.resolveWriteTarget(repo.name, action);
  } catch (err) {
    if (isDepotError(err, 'FORBIDDEN') || isDepotError(err, 'UNAUTHORIZED')) requireAccess(req, action, repo.name, err);
    // No hosted member, or one that is read-only (write_policy): the engine's message says which.
    throw ociError(
      'UNSUPPORTED',
      isDepotError(err, 'NOT_ALLOWED') ? err.message : 'proxy repository has no hosted member to write to',
    );
  }
  return target;
}

/** `DENIED` (409) for deleting a tag that matches the repository's `immutable_tags`. */
export function refuseImmutableTagDelete(repo: RepositoryRecord, tag: string): void {
  if (isImmutableTag(repo, tag)) {
    throw ociError('DENIED', `tag ${tag} is immutable (immutable_tags) and cannot be deleted`, {
      status: 409,
      detail: { tag },
    });
  }
}

/** Deletes a manifest and every tag pointing at it, and its referrers entry. */
export async function deleteByDigest(
  deps: DockerDeps,
  target: RepositoryRecord,
  image: string,
  digest: string,
): Promise<boolean> {
  const { engine } = deps;
  const repo = target.name;
  const record = await engine.stat(repo, manifestPath(image, digest));
  if (record === null) return false;
  const tags: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.list(repo, { prefix: tagPrefix(image), limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const tag of page.artifacts) if (tag.meta?.digest === digest) tags.push(tag.path);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  // Checked before anything goes: a manifest an immutable tag points at stays whole.
  for (const path of tags) refuseImmutableTagDelete(target, path.slice(tagPrefix(image).length));
  for (const path of tags) await engine.delete(repo, path);
  const meta = record.meta as Partial<ManifestMeta> | undefined;
  if (meta?.subject !== undefined) await deps.kv.referrers.delete(`${repo}/${image}/${meta.subject}/${digest}`);
  const deleted = await engine.delete(repo, manifestPath(image, digest));
  // Only once the manifest is gone may its blobs be deleted.
  await unmarkBlobRefs(deps, repo, image, digest, [...new Set(meta?.blobs ?? [])]);
  return deleted;
}

/** `DELETE /v2/<name>/manifests/<ref>`: a digest removes the manifest (and its tags), a tag only the tag. */
export async function deleteManifest(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  ref: string,
): Promise<FormatResponse> {
  requireAccess(req, 'delete', t.repo.name);
  const { digest } = checkReference(ref);
  const repo = await writableRepo(deps, req, t.repo, 'delete');
  if (!digest) refuseImmutableTagDelete(repo, ref);
  const deleted = digest
    ? await deleteByDigest(deps, repo, t.image, ref)
    : await deps.engine.delete(repo.name, tagPath(t.image, ref));
  if (!deleted) throw unknown(ref);
  return reply(202, { 'Content-Length': '0' });
}
