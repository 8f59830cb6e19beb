import type { ArtifactRecord, ByteSource } from '@depot/core';
import { once } from '../bytes.js';
import type { DockerDeps } from '../deps.js';
import type { ManifestInfo } from '../manifest-doc.js';
import { manifestPath, tagPath } from './paths.js';

/** A manifest found for a reference. `body` is `null` for HEAD. */
export interface ManifestHit {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly body: ByteSource | null;
}

/** Metadata kept on a manifest artifact (and, with `digest`, on a tag artifact). */
export interface ManifestMeta {
  readonly digest: string;
  readonly mediaType: string;
  readonly subject?: string;
  readonly artifactType?: string;
  readonly blobs?: readonly string[];
  readonly manifests?: readonly string[];
}

const hit = (record: ArtifactRecord, body: ByteSource | null): ManifestHit | null => {
  const meta = record.meta as Partial<ManifestMeta> | undefined;
  if (typeof meta?.digest !== 'string') return null;
  return { digest: meta.digest, mediaType: meta.mediaType ?? record.content_type, size: record.size, body };
};

/**
 * Reads a manifest of a hosted repository by tag or digest. A tag artifact holds the manifest's
 * own bytes (the same blob, deduplicated by BLAKE3), so a pull by tag is one read.
 */
export async function hostedManifest(
  deps: DockerDeps,
  repo: string,
  image: string,
  ref: { digest?: string; tag?: string },
  headOnly: boolean,
): Promise<ManifestHit | null> {
  const path = ref.digest !== undefined ? manifestPath(image, ref.digest) : tagPath(image, ref.tag ?? '');
  const read = await deps.engine.get(repo, path, { headOnly });
  return read === null ? null : hit(read.record, read.body);
}

/** Stores a manifest and then its tags, if any, from one ingest: the manifest first so a tag never points at nothing. */
export async function putHostedManifest(
  deps: DockerDeps,
  repo: string,
  image: string,
  bytes: Uint8Array,
  digest: string,
  info: ManifestInfo,
  tags: readonly string[],
): Promise<void> {
  const meta: ManifestMeta = {
    digest,
    mediaType: info.mediaType,
    ...(info.subject ? { subject: info.subject.digest } : {}),
    ...(info.artifactType ? { artifactType: info.artifactType } : {}),
    blobs: info.blobs,
    manifests: info.manifests,
  };
  const [algorithm, hex] = digest.split(':') as ['sha256' | 'sha512', string];
  const { engine } = deps;
  await engine.put(repo, manifestPath(image, digest), once(bytes), {
    contentType: info.mediaType,
    algorithms: ['sha256'],
    expected: { [algorithm]: hex, size: bytes.byteLength },
    meta: { ...meta },
    ...(tags.length === 0
      ? {}
      : { alsoAt: tags.map((tag) => ({ path: tagPath(image, tag), meta: { digest, mediaType: info.mediaType } })) }),
  });
}
