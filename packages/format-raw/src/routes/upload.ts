import {
  badRequest,
  type ExpectedContent,
  type FormatRequest,
  type FormatResponse,
  guessContentType,
  notAllowed,
  requireRepoAccess,
  toArtifactResponse,
} from '@depot/core';
import { entityTag } from '../internal/conditional.js';

/** The stored type: the client's, unless it sent none or the generic octet-stream (then guessed). */
function contentTypeFor(req: FormatRequest): string {
  const sent = req.headers['content-type']?.trim();
  if (sent === undefined || sent === '') return guessContentType(req.path);
  const essence = sent.split(';')[0]?.trim().toLowerCase();
  return essence === 'application/octet-stream' ? guessContentType(req.path) : sent;
}

/** `Content-Length` as a size hint; anything but a plain decimal is ignored (the server frames bodies). */
function sizeHintOf(req: FormatRequest): number | undefined {
  const value = req.headers['content-length'];
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/** An `X-Checksum-Sha256` the client sent: the bytes must match it or nothing is stored. */
function expectedOf(req: FormatRequest): ExpectedContent | undefined {
  const sha256 = req.headers['x-checksum-sha256']?.trim();
  if (sha256 === undefined) return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(sha256)) throw badRequest('X-Checksum-Sha256 must be 64 hex digits');
  return { sha256: sha256.toLowerCase() };
}

/** PUT of one artifact: streams the body into the engine, answers 201 with the artifact JSON. */
export async function uploadArtifact(req: FormatRequest, maxBytes: number | undefined): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  if (req.path === '') throw badRequest('an artifact path is required');
  if (req.repo.repo_type === 'cache') throw notAllowed('cache repositories are read-only');
  const sizeHint = sizeHintOf(req);
  const expected = expectedOf(req);
  const record = await req.engine.put(req.repo.name, req.path, req.body, {
    contentType: contentTypeFor(req),
    algorithms: ['sha256'],
    signal: req.signal,
    ...(sizeHint === undefined ? {} : { sizeHint }),
    ...(expected === undefined ? {} : { expected }),
    ...(maxBytes === undefined ? {} : { maxBytes }),
  });
  return {
    status: 201,
    headers: { 'content-type': 'application/json', etag: entityTag(record) },
    body: JSON.stringify(toArtifactResponse(record)),
  };
}
