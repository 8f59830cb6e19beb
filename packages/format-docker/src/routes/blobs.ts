import { type ByteRange, type FormatResponse, isDepotError, type MountRequest } from '@depot/core';
import type { DockerDeps, Target } from '../deps.js';
import { ociError } from '../errors.js';
import { parseDigest } from '../names.js';
import { requireAccess } from '../resolve.js';
import { deleteUnreferenced } from '../store/blob-refs.js';
import { blobPath } from '../store/paths.js';
import { findBlob } from '../store/read.js';
import { writableRepo } from './manifests.js';
import { reply } from './response.js';

/** A single `bytes=` range; suffix ranges need the size and come back as `{ suffix }`. */
type RangeSpec = ByteRange | { readonly suffix: number } | null;

/** Parses `Range: bytes=a-b | a- | -n` (RFC 9110 §14.1.2); multiple ranges are ignored (full body). */
export function parseRange(header: string | undefined): RangeSpec {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null;
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return null;
  if (a === '') return { suffix: Number(b) };
  return { start: Number(a), end: b === '' ? Number.MAX_SAFE_INTEGER : Number(b) };
}

const unsatisfiable = (size: number | undefined) =>
  ociError('BLOB_UNKNOWN', 'requested range not satisfiable', {
    status: 416,
    ...(size === undefined ? {} : { headers: { 'Content-Range': `bytes */${size}` } }),
  });

/** Resolves a suffix range against the blob size (a HEAD read first). */
async function concreteRange(
  deps: DockerDeps,
  t: Target,
  digest: string,
  spec: RangeSpec,
): Promise<ByteRange | undefined> {
  if (spec === null) return undefined;
  if (!('suffix' in spec)) return spec;
  const meta = await findBlob(deps, t, digest, { headOnly: true });
  if (meta === null) throw ociError('BLOB_UNKNOWN', 'blob unknown to registry', { detail: { digest } });
  const size = meta.record.size;
  if (spec.suffix === 0 || size === 0) throw unsatisfiable(size);
  return { start: Math.max(0, size - spec.suffix), end: size - 1 };
}

/** `GET|HEAD /v2/<name>/blobs/<digest>`, with single byte ranges (206 / 416). */
export async function getBlob(deps: DockerDeps, req: MountRequest, t: Target, digest: string): Promise<FormatResponse> {
  requireAccess(req, 'read', t.repo.name);
  parseDigest(digest);
  const headOnly = req.method === 'HEAD';
  const range = headOnly ? undefined : await concreteRange(deps, t, digest, parseRange(req.headers.range));
  let read: Awaited<ReturnType<typeof findBlob>>;
  try {
    read = await findBlob(deps, t, digest, { headOnly, ...(range ? { range } : {}) });
  } catch (err) {
    if (isDepotError(err, 'RANGE_NOT_SATISFIABLE')) throw unsatisfiable(err.details?.size as number | undefined);
    throw err;
  }
  if (read === null) throw ociError('BLOB_UNKNOWN', 'blob unknown to registry', { detail: { digest } });
  const size = read.record.size;
  // Validators come from the requested digest, never from `read.record.hashes`: a provisional read
  // (a fill streamed while stored) has no hashes yet, and a fill is verified against the digest.
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
  };
  if (read.range !== undefined) {
    const { start, end } = read.range;
    headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    headers['Content-Length'] = String(end - start + 1);
    return reply(206, headers, read.body);
  }
  headers['Content-Length'] = String(size);
  return reply(200, headers, headOnly ? null : read.body);
}

/**
 * `DELETE /v2/<name>/blobs/<digest>` → 202, 404 `BLOB_UNKNOWN`, or 409 `DENIED` while a manifest of
 * the repository references the blob (delete the manifest first).
 */
export async function deleteBlob(
  deps: DockerDeps,
  req: MountRequest,
  t: Target,
  digest: string,
): Promise<FormatResponse> {
  requireAccess(req, 'delete', t.repo.name);
  parseDigest(digest);
  const repo = await writableRepo(deps, req, t.repo, 'delete');
  const removed = await deleteUnreferenced(deps, repo.name, digest, () =>
    deps.engine.delete(repo.name, blobPath(digest)),
  );
  if (!removed) {
    throw ociError('BLOB_UNKNOWN', 'blob unknown to registry', { detail: { digest } });
  }
  return reply(202, { 'Content-Length': '0' });
}
