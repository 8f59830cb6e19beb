import {
  type ArtifactRead,
  badRequest,
  cooldownRefusal,
  DepotError,
  type ExpectedContent,
  type FormatRequest,
  type FormatResponse,
  fillsFromUpstream,
  immutableArtifactResponse,
  isDepotError,
  notFound,
  requestWriteTarget,
  requireRepoAccess,
  upstreamSignal,
} from '@depot/core';
import { coolingUntil } from '../cooldown.js';
import { loadPackument, type NpmEnv } from '../env.js';
import { jsonResponse } from '../errors.js';
import { sriSha512Hex } from '../integrity.js';
import { isSafeTarballFile, tarballPath } from '../names.js';
import { versionFile } from '../render.js';

/** `GET|HEAD {name}/-/{file}.tgz`: streams the tarball from the engine. */
export async function getTarball(env: NpmEnv, req: FormatRequest, name: string, file: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  if (!isSafeTarballFile(file)) throw badRequest('invalid tarball file name');
  const path = tarballPath(name, file);
  const expected = await fillExpectation(env, req, name, file, path);
  let read: ArtifactRead | null;
  try {
    read = await env.engine.get(req.repo.name, path, {
      headOnly: req.method === 'HEAD',
      signal: upstreamSignal(req),
      ...(expected === undefined ? {} : { expected }),
    });
  } catch (err) {
    if (!isDepotError(err, 'UPSTREAM_ERROR') || err.details?.rejected === undefined || expected === undefined)
      throw err;
    // RELIABILITY.md P4: the upstream served bytes that are not the ones its packument names.
    env.ctx.logger.warn({ repo: req.repo.name, path }, 'npm upstream tarball failed integrity check; not stored');
    throw new DepotError('UPSTREAM_ERROR', `upstream tarball ${file} does not match the packument's integrity`, {
      cause: err,
    });
  }
  if (read === null) throw notFound(`tarball ${file} not found`);
  return immutableArtifactResponse(req, read, {
    'content-type': 'application/octet-stream',
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
}

/**
 * What an upstream copy of `file` must match before a cache member stores it: the sha512 of the
 * `dist.integrity` (else the `dist.shasum`) that the packument the client sees names for it
 * (the merged one, for a proxy). `undefined` when no fill can happen: a hosted repository, or a
 * member ahead of every cache member without the file already holds it (tarballs are immutable,
 * so a held copy is served as is and no packument has to be loaded).
 */
async function fillExpectation(
  env: NpmEnv,
  req: FormatRequest,
  name: string,
  file: string,
  path: string,
): Promise<ExpectedContent | undefined> {
  if (!(await fillsFromUpstream(req, path))) return undefined;
  const loaded = await loadPackument(env, req.repo, name, upstreamSignal(req));
  const version = loaded === null ? undefined : Object.values(loaded.doc.versions).find((v) => versionFile(v) === file);
  if (version === undefined) {
    const until = loaded === null ? undefined : coolingUntil(loaded.doc, file);
    if (until !== undefined) throw cooldownRefusal(req.repo.name, `${name} ${file}`, until);
    throw notFound(`tarball ${file} not found`);
  }
  const [sha512] = typeof version.dist.integrity === 'string' ? sriSha512Hex(version.dist.integrity) : [];
  if (sha512 !== undefined) return { sha512 };
  if (typeof version.dist.shasum === 'string') return { sha1: version.dist.shasum.toLowerCase() };
  throw new DepotError('UPSTREAM_ERROR', `upstream packument names no digest for ${file}`);
}

/** `DELETE {name}/-/{file}/-rev/{rev}`: the last step of `npm unpublish name@version`. */
export async function deleteTarball(
  env: NpmEnv,
  req: FormatRequest,
  name: string,
  file: string,
  rev: string,
): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  if (!isSafeTarballFile(file)) throw badRequest('invalid tarball file name');
  const target = await requestWriteTarget(req, 'delete');
  const stored = await env.store.get(target.name, name);
  if (stored !== null) {
    if (Object.values(stored.doc.versions).some((v) => versionFile(v) === file)) {
      throw badRequest('the version of this tarball is still published; unpublish it first');
    }
    if (stored.rev !== rev) throw new DepotError('CONFLICT', 'document revision is out of date');
  }
  await env.engine.delete(target.name, tarballPath(name, file));
  return jsonResponse(200, { ok: true });
}
