import type { ArtifactRecord } from '../kv/records.js';

/** The JSON shape of an artifact in the REST API (raw PUT responses, browse and search results). */
export interface ArtifactResponse {
  readonly path: string;
  readonly size: number;
  readonly content_type: string;
  readonly blob_id: string;
  readonly content_hash: string;
  readonly etag: string;
  readonly sha256?: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_accessed_at: string;
}

/** Renders an {@link ArtifactRecord} as the API's {@link ArtifactResponse}. */
export function toArtifactResponse(record: ArtifactRecord): ArtifactResponse {
  return {
    path: record.path,
    size: record.size,
    content_type: record.content_type,
    blob_id: record.blob_id,
    content_hash: record.hashes.blake3,
    etag: record.hashes.blake3,
    ...(record.hashes.sha256 === undefined ? {} : { sha256: record.hashes.sha256 }),
    created_at: record.created_at,
    updated_at: record.updated_at,
    last_accessed_at: record.last_accessed_at,
  };
}
