import { type ByteSource, isDepotError } from '@depot/core';
import type { DockerDeps } from '../deps.js';
import { ociError } from '../errors.js';
import type { Digest } from '../names.js';
import { blobPath } from '../store/paths.js';

/**
 * Streams `body` into the repository as `_blobs/<digest>`, the OCI digest verified by ingest while
 * the bytes flow (sha256 is always computed too, so pulls never re-hash). A mismatch is 400
 * `DIGEST_INVALID` and stores nothing.
 */
export async function storeBlob(
  deps: DockerDeps,
  repo: string,
  digest: Digest,
  body: ByteSource,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await deps.ctx.engine.put(repo, blobPath(digest.text), body, {
      contentType: 'application/octet-stream',
      algorithms: ['sha256'],
      expected: { [digest.algorithm]: digest.hex },
      meta: { digest: digest.text },
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (isDepotError(err, 'DIGEST_MISMATCH')) {
      throw ociError('DIGEST_INVALID', 'provided digest did not match uploaded content', {
        detail: { digest: digest.text },
      });
    }
    throw err;
  }
}
