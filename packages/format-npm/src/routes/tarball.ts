import { createHash } from 'node:crypto';
import {
  type ArtifactRead,
  type ByteSource,
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  notFound,
} from '@depot/core';
import { cachedPackument } from '../cache.js';
import type { NpmEnv } from '../env.js';
import { jsonResponse, requireAccess } from '../errors.js';
import { sriSha512Hex } from '../integrity.js';
import { isSafeTarballFile, tarballPath } from '../names.js';
import { versionFile } from '../render.js';
import { writeTarget } from './write-target.js';

/** `GET|HEAD {name}/-/{file}.tgz`: streams the tarball from the engine. */
export async function getTarball(env: NpmEnv, req: FormatRequest, name: string, file: string): Promise<FormatResponse> {
  requireAccess(req, 'read');
  if (!isSafeTarballFile(file)) throw badRequest('invalid tarball file name');
  const path = tarballPath(name, file);
  const read = await env.ctx.engine.get(req.repo.name, path, { headOnly: req.method === 'HEAD', signal: req.signal });
  if (read === null) throw notFound(`tarball ${file} not found`);
  const body = read.source === 'upstream' ? await verifyFetched(env, req, read, name, file) : read.body;
  const etag = `"${read.record.hashes.blake3}"`;
  const headers = {
    'content-type': 'application/octet-stream',
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    await closeBody(read);
    return { status: 304, headers: { etag } };
  }
  return { status: 200, headers: { ...headers, 'content-length': String(read.record.size) }, body };
}

async function closeBody(read: ArtifactRead): Promise<void> {
  await read.body?.[Symbol.asyncIterator]().return?.();
}

/** The digests a cache member's packument names for `file` (sha512 hex list and/or sha1). */
async function expectedDigests(env: NpmEnv, member: string, name: string, file: string, signal: AbortSignal) {
  const doc = await cachedPackument(env.ctx.engine, member, name, signal);
  const version = doc === null ? undefined : Object.values(doc.versions).find((v) => versionFile(v) === file);
  const sha512 = typeof version?.dist.integrity === 'string' ? sriSha512Hex(version.dist.integrity) : [];
  const sha1 = typeof version?.dist.shasum === 'string' ? version.dist.shasum.toLowerCase() : undefined;
  return { sha512, sha1 };
}

/**
 * A tarball a cache member is fetching right now must match the integrity its packument names. The
 * engine streams the copy to us while storing it, so the bytes are hashed on the way through; on a
 * mismatch (or a file the packument does not list) the stored copy is deleted once committed and the
 * client's stream fails, so neither Depot nor the client keeps the bad bytes.
 */
async function verifyFetched(
  env: NpmEnv,
  req: FormatRequest,
  read: ArtifactRead,
  name: string,
  file: string,
): Promise<ByteSource | null> {
  if (read.body === null) return null;
  const member = read.repo === req.repo.name ? req.repo : await env.ctx.engine.getRepository(read.repo);
  if (member.repo_type !== 'cache') return read.body;
  const expected = await expectedDigests(env, member.name, name, file, req.signal);
  const body = read.body;
  const path = read.record.path;
  return (async function* verified() {
    const sha512 = createHash('sha512');
    const sha1 = createHash('sha1');
    for await (const chunk of body) {
      sha512.update(chunk);
      sha1.update(chunk);
      yield chunk;
    }
    const ok =
      expected.sha512.length > 0
        ? expected.sha512.includes(sha512.digest('hex'))
        : expected.sha1 !== undefined && expected.sha1 === sha1.digest('hex');
    if (ok) return;
    await env.ctx.engine.delete(member.name, path);
    env.ctx.logger.warn({ repo: member.name, path }, 'npm upstream tarball failed integrity check');
    throw new DepotError('UPSTREAM_ERROR', `upstream tarball ${file} does not match the packument's integrity`);
  })();
}

/** `DELETE {name}/-/{file}/-rev/{rev}`: the last step of `npm unpublish name@version`. */
export async function deleteTarball(
  env: NpmEnv,
  req: FormatRequest,
  name: string,
  file: string,
  rev: string,
): Promise<FormatResponse> {
  requireAccess(req, 'delete');
  if (!isSafeTarballFile(file)) throw badRequest('invalid tarball file name');
  const target = await writeTarget(env, req);
  const stored = await env.store.get(target.name, name);
  if (stored !== null) {
    if (Object.values(stored.doc.versions).some((v) => versionFile(v) === file)) {
      throw badRequest('the version of this tarball is still published; unpublish it first');
    }
    if (stored.rev !== rev) throw new DepotError('CONFLICT', 'document revision is out of date');
  }
  await env.ctx.engine.delete(target.name, tarballPath(name, file));
  return jsonResponse(200, { ok: true });
}
