import type { ArtifactRecord, ByteRange, RepositoryRecord } from '@depot/core';
import { entityTag } from './conditional.js';
import { contentDisposition, type DispositionType } from './content-disposition.js';

/** The `content_disposition` option of `repo` (validated on create; attachment by default). */
export function dispositionOf(repo: RepositoryRecord): DispositionType {
  return repo.format_options?.content_disposition === 'inline' ? 'inline' : 'attachment';
}

/**
 * Validators shared by 200, 206 and 304 answers. A cache read streamed from the upstream while it
 * is stored carries a provisional record whose hashes are not known yet (empty BLAKE3): no ETag then.
 */
export function validatorHeaders(record: ArtifactRecord): Record<string, string> {
  const lastModified = { 'last-modified': new Date(record.updated_at).toUTCString() };
  return record.hashes.blake3 === '' ? lastModified : { etag: entityTag(record), ...lastModified };
}

/**
 * Headers of a raw artifact answer (spec/api.md "Artifact surfaces"): type, length (of `range` when
 * given, with `Content-Range`), ETag = BLAKE3, checksums, Last-Modified, Accept-Ranges, disposition.
 */
export function artifactHeaders(
  repo: RepositoryRecord,
  record: ArtifactRecord,
  range?: ByteRange,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': record.content_type,
    'content-length': String(range === undefined ? record.size : range.end - range.start + 1),
    ...validatorHeaders(record),
    'accept-ranges': 'bytes',
    'content-disposition': contentDisposition(dispositionOf(repo), record.path),
  };
  if (record.hashes.blake3 !== '') headers['x-checksum-blake3'] = record.hashes.blake3;
  if (record.hashes.sha256 !== undefined) headers['x-checksum-sha256'] = record.hashes.sha256;
  if (range !== undefined) headers['content-range'] = `bytes ${range.start}-${range.end}/${record.size}`;
  return headers;
}
