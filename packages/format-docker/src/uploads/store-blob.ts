import { type ByteSource, isDepotError } from '@depot/core';
import { tooLarge } from '../bytes.js';
import type { DockerDeps } from '../deps.js';
import { ociError } from '../errors.js';
import type { Digest } from '../names.js';
import { blobPath } from '../store/paths.js';

/**
 * Streams `body` into the repository as `_blobs/<digest>`, the OCI digest verified by ingest while
 * the bytes flow (sha256 is always computed too, so pulls never re-hash). A mismatch is 400
 * `DIGEST_INVALID`; more than `maxBytes` (when given) is 413 `SIZE_INVALID` as soon as the stream
 * passes it. Either way nothing is stored.
 */
export async function storeBlob(
  deps: DockerDeps,
  repo: string,
  digest: Digest,
  body: ByteSource,
  options: { signal?: AbortSignal; maxBytes?: number } = {},
): Promise<void> {
  const { signal, maxBytes } = options;
  try {
    await deps.engine.put(repo, blobPath(digest.text), body, {
      contentType: 'application/octet-stream',
      algorithms: ['sha256'],
      expected: { [digest.algorithm]: digest.hex },
      meta: { digest: digest.text },
      ...(signal ? { signal } : {}),
      ...(maxBytes === undefined ? {} : { maxBytes }),
    });
  } catch (err) {
    if (isDepotError(err, 'DIGEST_MISMATCH')) {
      throw ociError('DIGEST_INVALID', 'provided digest did not match uploaded content', {
        detail: { digest: digest.text },
      });
    }
    if (isDepotError(err, 'PAYLOAD_TOO_LARGE') && maxBytes !== undefined) throw tooLarge('blob', maxBytes);
    throw err;
  }
}
