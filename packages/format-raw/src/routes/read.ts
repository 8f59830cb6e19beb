import {
  type ArtifactRead,
  discardBody,
  type FormatRequest,
  type FormatResponse,
  isDepotError,
  notFound,
  requireRepoAccess,
} from '@depot/core';
import { artifactHeaders, validatorHeaders } from '../internal/artifact-headers.js';
import { ifRangeAllows, isNotModified } from '../internal/conditional.js';
import { parseRange, type RangeSpec, resolveRange } from '../internal/range.js';

/** 416 with the representation's size, as RFC 9110 §15.5.17 asks. */
function unsatisfiable(size: number): FormatResponse {
  return {
    status: 416,
    headers: { 'content-range': `bytes */${size}`, 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code: 'RANGE_NOT_SATISFIABLE', message: 'range not satisfiable' } }),
  };
}

/**
 * The abort signal for an engine read: hosted reads never wait on an upstream, so they take none
 * (the server builds the signal on first use; skipping it spares an AbortController per GET).
 */
function readSignal(req: FormatRequest): { signal?: AbortSignal } {
  return req.repo.repo_type === 'hosted' ? {} : { signal: req.signal };
}

/** A full 200 answer from a read that opened the whole body. */
function whole(req: FormatRequest, read: ArtifactRead): FormatResponse {
  return { status: 200, headers: artifactHeaders(req.repo, read.record), body: read.body };
}

/** Serves `spec` of the artifact `meta` describes: 206, or 416 when it selects nothing. */
async function ranged(req: FormatRequest, meta: ArtifactRead, spec: RangeSpec): Promise<FormatResponse> {
  const range = resolveRange(spec, meta.record.size);
  if (range === null) return unsatisfiable(meta.record.size);
  let read: ArtifactRead | null;
  try {
    read = await req.engine.get(req.repo.name, req.path, { range, ...readSignal(req) });
  } catch (err) {
    // The artifact shrank between the metadata read and this one.
    if (isDepotError(err, 'RANGE_NOT_SATISFIABLE')) return unsatisfiable(meta.record.size);
    throw err;
  }
  if (read === null) throw notFound('artifact not found');
  // The engine reports the range it served, against the record it served it from.
  if (read.range === undefined) return whole(req, read);
  return { status: 206, headers: artifactHeaders(req.repo, read.record, read.range), body: read.body };
}

/**
 * GET and HEAD of one artifact. Conditional, ranged and HEAD requests read metadata first (no body
 * opened), so a 304, a 416 or a HEAD never streams anything; a plain GET is one read.
 */
export async function readArtifact(req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  // Directory listing through GET is not part of the raw protocol (prototype-inventory §1.4).
  if (req.path === '') throw notFound('directory listing is not supported; use the artifacts API');
  const head = req.method === 'HEAD';
  const spec = head ? null : parseRange(req.headers.range);
  const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;

  if (head || conditional || spec !== null) {
    const meta = await req.engine.get(req.repo.name, req.path, { headOnly: true, ...readSignal(req) });
    if (meta === null) throw notFound('artifact not found');
    await discardBody(meta.body);
    if (isNotModified(req.headers, meta.record)) return { status: 304, headers: validatorHeaders(meta.record) };
    if (head) return { status: 200, headers: artifactHeaders(req.repo, meta.record) };
    if (spec !== null && ifRangeAllows(req.headers, meta.record)) return ranged(req, meta, spec);
  }
  const read = await req.engine.get(req.repo.name, req.path, readSignal(req));
  if (read === null) throw notFound('artifact not found');
  return whole(req, read);
}
