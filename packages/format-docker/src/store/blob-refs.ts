import type { DockerDeps } from '../deps.js';
import { ociError } from '../errors.js';
import { manifestPath } from './paths.js';

/**
 * Reference marks between hosted manifests and the blobs they use, so a blob is never deleted from
 * under a manifest. A manifest PUT marks its blobs before it checks they exist and stores itself; a
 * blob DELETE marks the blob as being deleted before it looks for references. Each side writes its
 * own mark first and then reads the other's, so of a PUT and a DELETE racing on one blob at least
 * one sees the other and gives up: never a stored manifest whose layer is gone.
 *
 * A mark whose writer died (a crash between mark and commit) ages out after {@link MARK_GRACE_MS}.
 */
export const MARK_GRACE_MS = 10 * 60 * 1000;

const refKey = (repo: string, blob: string, image: string, manifest: string): string =>
  `${repo}/${blob}/${image}/${manifest}`;

const fresh = (deps: DockerDeps, at: string): boolean => deps.now() - Date.parse(at) < MARK_GRACE_MS;

/**
 * Records that `manifest` of `image` references `blobs`, then refuses (400 `MANIFEST_BLOB_UNKNOWN`,
 * marks removed) when one of them is being deleted right now.
 */
export async function markBlobRefs(
  deps: DockerDeps,
  repo: string,
  image: string,
  manifest: string,
  blobs: readonly string[],
): Promise<void> {
  const at = new Date(deps.now()).toISOString();
  await Promise.all(blobs.map((b) => deps.kv.blobRefs.put(refKey(repo, b, image, manifest), { at })));
  const deleting = await Promise.all(blobs.map((b) => deps.kv.blobDeletes.get(`${repo}/${b}`)));
  const busy = blobs.filter((_, i) => {
    const mark = deleting[i];
    return mark != null && fresh(deps, mark.at);
  });
  if (busy.length > 0) {
    await unmarkBlobRefs(deps, repo, image, manifest, blobs);
    throw ociError('MANIFEST_BLOB_UNKNOWN', 'manifest references blobs being deleted', { detail: { missing: busy } });
  }
}

/** Removes the marks of `manifest` (after it was deleted, or when its PUT failed). */
export async function unmarkBlobRefs(
  deps: DockerDeps,
  repo: string,
  image: string,
  manifest: string,
  blobs: readonly string[],
): Promise<void> {
  await Promise.all(blobs.map((b) => deps.kv.blobRefs.delete(refKey(repo, b, image, manifest))));
}

/** A manifest that references a blob: stored, or being pushed (a fresh mark without a manifest yet). */
export interface BlobReference {
  readonly image: string;
  readonly manifest: string;
}

/** The first manifest referencing `blob` in `repo`, or `null`; stale marks met on the way are removed. */
async function findReference(deps: DockerDeps, repo: string, blob: string): Promise<BlobReference | null> {
  const prefix = `${repo}/${blob}/`;
  for await (const { id, record } of deps.kv.blobRefs.scan({ prefix })) {
    const rest = id.slice(prefix.length);
    const cut = rest.lastIndexOf('/');
    const ref = { image: rest.slice(0, cut), manifest: rest.slice(cut + 1) };
    if (fresh(deps, record.at)) return ref;
    if ((await deps.engine.stat(repo, manifestPath(ref.image, ref.manifest))) !== null) return ref;
    await deps.kv.blobRefs.delete(id);
  }
  return null;
}

/**
 * Runs `remove` (the blob delete) unless a manifest references `blob`: then 409 in the OCI shape
 * (`DENIED`), naming one referencing manifest. The blob is marked as being deleted meanwhile.
 */
export async function deleteUnreferenced<T>(
  deps: DockerDeps,
  repo: string,
  blob: string,
  remove: () => Promise<T>,
): Promise<T> {
  const key = `${repo}/${blob}`;
  await deps.kv.blobDeletes.put(key, { at: new Date(deps.now()).toISOString() });
  try {
    const ref = await findReference(deps, repo, blob);
    if (ref !== null) {
      throw ociError(
        'DENIED',
        `blob is referenced by manifest ${ref.image}@${ref.manifest}; delete the manifest first`,
        {
          status: 409,
          detail: { digest: blob, image: ref.image, manifest: ref.manifest },
        },
      );
    }
    return await remove();
  } finally {
    await deps.kv.blobDeletes.delete(key);
  }
}
