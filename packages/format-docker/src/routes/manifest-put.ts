import { type FormatResponse, isDepotError, type MountRequest, type RepositoryRecord } from '@depot/core';
import { digestOf, readAll } from '../bytes.js';
import { type DockerDeps, MAX_MANIFEST_BYTES, type Target } from '../deps.js';
import { ociError } from '../errors.js';
import { type ManifestInfo, parseManifest, referrerEntry } from '../manifest-doc.js';
import { parseDigest } from '../names.js';
import { isImmutableTag } from '../options.js';
import { requireAccess } from '../resolve.js';
import { markBlobRefs, unmarkBlobRefs } from '../store/blob-refs.js';
import { putHostedManifest } from '../store/hosted.js';
import { blobPath, manifestPath, tagPath } from '../store/paths.js';
import { ociTagHeader, requestedTags } from './manifest-tags.js';
import { checkReference, writableRepo } from './manifests.js';
import { reply } from './response.js';

/**
 * An image manifest's config and local layers must already be in the repository
 * (`MANIFEST_BLOB_UNKNOWN` otherwise). An index's child manifests need not be (a sparse index, e.g.
 * a mirror of one platform of a multi-arch image; the distribution spec lets a registry accept it).
 * Whatever is present must have the size its descriptor declares (a mismatch is `MANIFEST_INVALID`
 * naming the digest: a client trusting the descriptor would read a truncated or overlong layer).
 */
async function checkReferenced(deps: DockerDeps, repo: string, image: string, info: ManifestInfo): Promise<void> {
  const { engine } = deps;
  const blobs = [...new Set(info.blobs)];
  const children = [...new Set(info.manifests)];
  const digests = blobs.concat(children);
  const paths = blobs.map(blobPath).concat(children.map((d) => manifestPath(image, d)));
  const found = await Promise.all(paths.map((p) => engine.stat(repo, p)));
  const missing = blobs.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    throw ociError('MANIFEST_BLOB_UNKNOWN', 'manifest references unknown blobs', { detail: { missing } });
  }
  digests.forEach((digest, i) => {
    const stored = found[i]?.size;
    const declared = info.sizes[digest];
    if (stored !== undefined && declared !== undefined && stored !== declared) {
      throw ociError('MANIFEST_INVALID', `descriptor size of ${digest} does not match the stored content`, {
        detail: { digest, declared, stored },
      });
    }
  });
}

/**
 * A tag matching the repository's `immutable_tags` that already points at another manifest is
 * never moved: `DENIED` (409) naming the tag and where it points. Re-pushing the same manifest is fine.
 */
async function refuseTagMoves(
  deps: DockerDeps,
  repo: RepositoryRecord,
  image: string,
  digest: string,
  tags: readonly string[],
): Promise<void> {
  for (const tag of tags) {
    if (!isImmutableTag(repo, tag)) continue;
    const held = (await deps.engine.stat(repo.name, tagPath(image, tag)))?.meta?.digest;
    if (held !== undefined && held !== digest) {
      throw ociError('DENIED', `tag ${tag} is immutable (immutable_tags) and points at ${String(held)}`, {
        status: 409,
        detail: { tag, digest: held },
      });
    }
  }
}

/**
 * `PUT /v2/<name>/manifests/<ref>` (distribution-spec "Pushing Manifests"): validates the
 * document and its references, stores the manifest, then the tag; a `subject` is indexed for the
 * referrers API and echoed as `OCI-Subject`.
 */
export async function putManifest(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  ref: string,
): Promise<FormatResponse> {
  requireAccess(req, 'write', t.repo.name);
  const { digest: byDigest } = checkReference(ref);
  const tags = requestedTags(req, ref, byDigest);
  const repo = await writableRepo(deps, req, t.repo, 'write');
  const bytes = await readAll(req.body, MAX_MANIFEST_BYTES);
  const info = parseManifest(bytes, req.headers['content-type']);
  // The digest in the path is authoritative and picks the algorithm; a PUT by tag uses sha256, the
  // canonical one (a client wanting sha512 for a tag puts by its sha512 digest with `?tag=`).
  const digest = digestOf(bytes, byDigest ? parseDigest(ref).algorithm : 'sha256');
  if (byDigest && digest !== ref)
    throw ociError('DIGEST_INVALID', 'manifest does not match its digest', { detail: { digest: ref } });
  const imageKey = `${repo.name}/${t.image}`;
  // Marked before the blobs are checked, so a racing blob DELETE either sees the mark or is seen.
  const blobs = [...new Set(info.blobs)];
  await markBlobRefs(deps, repo.name, t.image, digest, blobs);
  let image: Awaited<ReturnType<typeof deps.kv.images.get>>;
  try {
    // Independent reads at once: the references (each a stat) and whether the image is known.
    [, image] = await Promise.all([checkReferenced(deps, repo.name, t.image, info), deps.kv.images.get(imageKey)]);
    await refuseTagMoves(deps, repo, t.image, digest, tags);
    await putHostedManifest(deps, repo.name, t.image, bytes, digest, info, tags).catch((err: unknown) => {
      // Under write_policy allow_once a tag is set once: moving it is the engine's CONFLICT.
      if (isDepotError(err, 'CONFLICT')) throw ociError('DENIED', err.message, { status: 409 });
      throw err;
    });
  } catch (err) {
    // The marks stay when this manifest was already stored by an earlier push.
    if ((await deps.engine.stat(repo.name, manifestPath(t.image, digest))) === null) {
      await unmarkBlobRefs(deps, repo.name, t.image, digest, blobs);
    }
    throw err;
  }
  const at = new Date(deps.now()).toISOString();
  const writes: Promise<unknown>[] = [];
  if (image === null) writes.push(deps.kv.images.put(imageKey, { created_at: at }));
  if (info.subject !== undefined) {
    const entry = referrerEntry(info, digest, bytes.byteLength);
    writes.push(deps.kv.referrers.put(`${imageKey}/${info.subject.digest}/${digest}`, entry));
  }
  // Both go to the KV store's group commit together.
  await Promise.all(writes);
  return reply(201, {
    Location: `/v2/${t.name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
    'Content-Length': '0',
    ...(info.subject ? { 'OCI-Subject': info.subject.digest } : {}),
    ...ociTagHeader(byDigest, tags),
  });
}
