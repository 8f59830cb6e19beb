import {
  type ArtifactRead,
  cooldownRefusal,
  DepotError,
  type ExpectedContent,
  type FormatRequest,
  type FormatResponse,
  immutableArtifactResponse,
  isDepotError,
  notFound,
  type RepositoryRecord,
  requireRepoAccess,
} from '@depot/core';
import { coolingUntil, FILES_DIR } from '../cache.js';
import type { PypiEnv } from '../env.js';
import { isValidName } from '../names.js';
import { loadPage } from '../pages.js';
import type { PageFile } from '../types.js';

const METADATA_SUFFIX = '.metadata';

/** The path a page file's relative URL names (`../../x/y` seen from `simple/{project}/`). */
function pathOfUrl(url: string): string | null {
  if (!url.startsWith('../../')) return null;
  try {
    return url.slice(6).split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
}

/** What the fill of `path` must match: the page's sha256 of the file, or of its core metadata. */
function expectation(file: PageFile, metadata: boolean): ExpectedContent | undefined {
  if (metadata) {
    const sha256 = typeof file.core_metadata === 'object' ? file.core_metadata.sha256 : undefined;
    return sha256 === undefined ? undefined : { sha256 };
  }
  const sha256 = file.hashes.sha256;
  return sha256 === undefined ? undefined : { sha256 };
}

/**
 * The repository to read `path` from and what its bytes must match. Cache files are only served
 * when the project page lists them (that is where the upstream URL and the announced sha256 come
 * from); a proxy reads from the first member whose type holds such paths.
 */
async function locate(
  env: PypiEnv,
  req: FormatRequest,
  path: string,
): Promise<{ repos: RepositoryRecord[]; expected?: ExpectedContent }> {
  const members = await env.engine.resolveMembers(req.repo.name);
  const fromCache = path.startsWith(FILES_DIR);
  const repos = members.filter((m) => m.repo_type === (fromCache ? 'cache' : 'hosted'));
  if (!fromCache) return { repos };
  const [, project = ''] = path.split('/');
  if (!isValidName(project)) throw notFound('no such file');
  const metadata = path.endsWith(METADATA_SUFFIX);
  const filePath = metadata ? path.slice(0, -METADATA_SUFFIX.length) : path;
  const page = await loadPage(env, req.repo, project, req.signal);
  const file = page?.files.find((f) => pathOfUrl(f.url) === filePath);
  if (file === undefined) {
    const url = `../../${filePath.split('/').map(encodeURIComponent).join('/')}`;
    const until = page === null ? undefined : coolingUntil(page, url);
    if (until !== undefined) throw cooldownRefusal(req.repo.name, filePath.slice(filePath.lastIndexOf('/') + 1), until);
    throw notFound('no such file');
  }
  const expected = expectation(file, metadata);
  return expected === undefined ? { repos } : { repos, expected };
}

/** `GET|HEAD packages/…` (hosted files) and `files/…` (cached upstream files), with `.metadata`. */
export async function getFile(env: PypiEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const { repos, expected } = await locate(env, req, req.path);
  let read: ArtifactRead | null = null;
  for (const repo of repos) {
    try {
      read = await env.engine.get(repo.name, req.path, {
        headOnly: req.method === 'HEAD',
        signal: req.signal,
        ...(expected === undefined ? {} : { expected }),
      });
    } catch (err) {
      if (
        isDepotError(err, 'DIGEST_MISMATCH') ||
        (isDepotError(err, 'UPSTREAM_ERROR') && err.details?.rejected !== undefined)
      ) {
        env.ctx.logger.warn(
          { repo: repo.name, path: req.path },
          'pypi upstream file failed its sha256 check; not stored',
        );
        throw new DepotError('UPSTREAM_ERROR', 'upstream file does not match the sha256 its index announces', {
          cause: err,
        });
      }
      if (repos.length === 1) throw err;
      env.ctx.logger.warn({ repo: req.repo.name, member: repo.name, err: String(err) }, 'pypi member read failed');
      continue;
    }
    if (read !== null) break;
  }
  if (read === null) throw notFound('no such file');
  const held = read.record.hashes.sha256;
  if (expected?.sha256 !== undefined && read.provisional !== true && held !== undefined && held !== expected.sha256) {
    // The upstream now announces other bytes for a file already verified and stored: the first
    // copy stays what is served; the change is recorded (tamper detection).
    env.ctx.integrity.report({
      repo: read.repo,
      subject: req.path.slice(req.path.lastIndexOf('/') + 1),
      pinned: { sha256: held },
      upstream: { sha256: expected.sha256 },
    });
  }
  const metadata = req.path.endsWith(METADATA_SUFFIX);
  return immutableArtifactResponse(req, read, {
    'content-type': metadata ? 'text/plain; charset=utf-8' : read.record.content_type,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  });
}
