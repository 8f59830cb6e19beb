import { type KvStore, type RecordView, recordView } from '@depot/core';
import type { Descriptor } from '../manifest-doc.js';

/** Marks an image as present in a repository (for `_catalog`). */
export interface ImageRecord {
  readonly created_at: string;
}

/** A manifest fetched from upstream by a cache repository (manifests are small; ≤ 4 MiB). */
export interface CachedManifest {
  readonly mediaType: string;
  readonly digest: string;
  /** Base64 of the exact upstream bytes. */
  readonly body: string;
}

/** A cache repository's view of an upstream tag. */
export interface CachedTag {
  readonly digest: string;
  readonly fetched_at: string;
}

/** A resumable blob upload, kept in KV so any instance can continue it. */
export interface UploadSessionRecord {
  readonly id: string;
  readonly repo: string;
  readonly kind: string;
  readonly state: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A mark with the time it was written (ISO-8601), so a mark left by a crash can age out. */
export interface Mark {
  readonly at: string;
}

/** The Docker format's own KV records, under `fmt/docker/`. */
export interface DockerKv {
  /** `{repo}/{image}`. */
  readonly images: RecordView<ImageRecord>;
  /** `{repo}/{image}/{subject digest}/{referrer digest}` → the referrer's descriptor. */
  readonly referrers: RecordView<Descriptor>;
  /** `{repo}/{image}/{digest}`. */
  readonly cacheManifests: RecordView<CachedManifest>;
  /** `{repo}/{image}/{tag}`. */
  readonly cacheTags: RecordView<CachedTag>;
  /** `{repo}/{blob digest}/{image}/{manifest digest}`: hosted manifests that reference a blob. */
  readonly blobRefs: RecordView<Mark>;
  /** `{repo}/{blob digest}`: a blob delete in progress. */
  readonly blobDeletes: RecordView<Mark>;
  /** `{repo}/{uuid}`: blob upload sessions. */
  readonly uploads: RecordView<UploadSessionRecord>;
}

const SCHEMA = 1;

/** The key prefix of each view; every view's ids start with `{repo}/`. */
const VIEW_PREFIXES = {
  images: 'img/',
  referrers: 'ref/',
  cacheManifests: 'cm/',
  cacheTags: 'ct/',
  blobRefs: 'bref/',
  blobDeletes: 'bdel/',
  uploads: 'up/',
} as const satisfies Record<keyof DockerKv, string>;

/** Builds the Docker KV views over the shared KV store. */
export function dockerKv(kv: KvStore): DockerKv {
  const view = <T>(prefix: string): RecordView<T> => recordView<T>(kv, { prefix, schemaVersion: SCHEMA });
  return {
    images: view(VIEW_PREFIXES.images),
    referrers: view(VIEW_PREFIXES.referrers),
    cacheManifests: view(VIEW_PREFIXES.cacheManifests),
    cacheTags: view(VIEW_PREFIXES.cacheTags),
    blobRefs: view(VIEW_PREFIXES.blobRefs),
    blobDeletes: view(VIEW_PREFIXES.blobDeletes),
    uploads: view(VIEW_PREFIXES.uploads),
  };
}

/** The KV prefixes of every Docker record of repository `repo` (drained when it is deleted). */
export function dockerRepositoryPrefixes(repo: string): string[] {
  return Object.values(VIEW_PREFIXES).map((prefix) => `${prefix}${repo}/`);
}

/** Collects every id under `prefix` of `view` (ids relative to the prefix). */
export async function listIds<T>(view: RecordView<T>, prefix: string): Promise<{ id: string; record: T }[]> {
  const out: { id: string; record: T }[] = [];
  for await (const item of view.scan({ prefix })) out.push({ id: item.id.slice(prefix.length), record: item.record });
  return out;
}
