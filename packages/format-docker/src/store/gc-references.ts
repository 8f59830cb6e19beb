import type { BlobReference, RepositoryRecord } from '@depot/core';
import { parseManifest } from '../manifest-doc.js';
import type { DockerKv } from './kv.js';
import { cacheBlobPath, manifestPath } from './paths.js';

/** Splits `{image}/{a}/{b}` (digests have no `/`) into the image and the last two segments. */
function lastTwo(id: string): { image: string; a: string; b: string } | null {
  const parts = id.split('/');
  if (parts.length < 3) return null;
  const b = parts.pop() ?? '';
  const a = parts.pop() ?? '';
  return { image: parts.join('/'), a, b };
}

/**
 * The artifacts of `repo` that the Docker format's own KV records rely on: each referrer record's
 * manifest, and the config and layer blobs of every manifest a cache repository keeps in KV (its
 * body lives there, so no artifact record points at those blobs on its behalf).
 */
export async function* dockerBlobReferences(kv: DockerKv, repo: RepositoryRecord): AsyncIterable<BlobReference> {
  const prefix = `${repo.name}/`;
  for await (const { id } of kv.referrers.scan({ prefix })) {
    const split = lastTwo(id.slice(prefix.length));
    if (split !== null && split.image !== '') yield { repo: repo.name, path: manifestPath(split.image, split.b) };
  }
  for await (const { id, record } of kv.cacheManifests.scan({ prefix })) {
    const rest = id.slice(prefix.length);
    const at = rest.lastIndexOf('/');
    if (at <= 0) continue;
    const image = rest.slice(0, at);
    let blobs: readonly string[];
    try {
      blobs = parseManifest(Buffer.from(record.body, 'base64'), record.mediaType).blobs;
    } catch {
      continue; // A manifest that no longer parses references nothing.
    }
    for (const digest of blobs) yield { repo: repo.name, path: cacheBlobPath(image, digest) };
  }
}
