import {
  type FormatRequest,
  type FormatResponse,
  immutableArtifactResponse,
  isDepotError,
  notFound,
  type RepositoryRecord,
  readBounded,
  requireRepoAccess,
  upstreamSignal,
} from '@depot/core';
import type { GoEnv } from './env.js';
import { encodeCase } from './module-path.js';
import { moduleSummary } from './module-summary.js';
import { filePath, type GoPath } from './paths.js';
import { MAX_METADATA_BYTES, pickLatest, renderList } from './versions.js';

const CONTENT_TYPES = { info: 'application/json', mod: 'text/plain; charset=utf-8', zip: 'application/zip' } as const;
const TEXT = 'text/plain; charset=utf-8';

function bytesResponse(req: FormatRequest, contentType: string, body: string | Uint8Array): FormatResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    status: 200,
    headers: { 'content-type': contentType, 'content-length': String(bytes.byteLength), 'cache-control': 'no-cache' },
    body: req.method === 'HEAD' ? null : bytes,
  };
}

/**
 * A cache member's `list` or `@latest` for a proxy: an upstream that fails (with nothing stale to
 * serve) counts as not knowing the module, so the other members still answer; `failed` keeps the
 * error for when nobody does.
 */
async function readMember(
  env: GoEnv,
  repo: string,
  path: string,
  signal: AbortSignal | undefined,
  failed: { error?: unknown },
): Promise<Uint8Array | null> {
  try {
    return await readSmall(env, repo, path, signal);
  } catch (err) {
    if (!isDepotError(err, 'UPSTREAM_ERROR')) throw err;
    env.ctx.logger.warn({ repo, path }, 'go proxy member upstream failed; answering from the other members');
    failed.error = err;
    return null;
  }
}

/** A member's copy of a small document (a cache's `list` or `@latest`), `null` when it has none. */
async function readSmall(
  env: GoEnv,
  repo: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<Uint8Array | null> {
  const read = await env.engine.get(repo, path, { signal });
  if (read === null) return null;
  if (read.body === null) return new Uint8Array();
  return readBounded(read.body, MAX_METADATA_BYTES);
}

/** Every version of `path.module` the members of `repo` know of (hosted: stored; cache: the upstream's list). */
async function knownVersions(env: GoEnv, req: FormatRequest, path: GoPath): Promise<string[] | null> {
  let any = false;
  const versions: string[] = [];
  const failed: { error?: unknown } = {};
  for (const member of await env.engine.resolveMembers(req.repo.name)) {
    if (member.repo_type === 'hosted') {
      const found = (await moduleSummary(env.summaries, member.name, path.encoded)).versions;
      if (found.length > 0) any = true;
      versions.push(...found);
    } else if (member.repo_type === 'cache') {
      const body = await readMember(env, member.name, `${path.encoded}/@v/list`, upstreamSignal(req), failed);
      if (body === null) continue;
      any = true;
      versions.push(...new TextDecoder().decode(body).split(/\s+/).filter(Boolean));
    }
  }
  if (!any && failed.error !== undefined) throw failed.error;
  return any ? versions : null;
}

/** `GET {module}/@v/list`: hosted from what is stored, cache from the upstream (per TTL), proxy merged. */
export async function getList(env: GoEnv, req: FormatRequest, path: GoPath): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const versions = await knownVersions(env, req, path);
  if (versions === null) throw notFound(`no versions of module ${path.module}`);
  return bytesResponse(req, TEXT, renderList(versions));
}

/** The `@latest` of one hosted repository, as an info document; `null` when it holds no version. */
async function hostedLatest(env: GoEnv, repo: RepositoryRecord, encoded: string): Promise<Uint8Array | null> {
  const { latest } = await moduleSummary(env.summaries, repo.name, encoded);
  if (latest === null) return null;
  return readSmall(env, repo.name, filePath(encoded, encodeCase(latest), 'info'), undefined);
}

const infoVersion = (body: Uint8Array): string | null => {
  try {
    const v = (JSON.parse(new TextDecoder().decode(body)) as { Version?: unknown }).Version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
};

/**
 * `GET {module}/@latest`: hosted picks Go's latest (retractions honoured), cache asks the upstream
 * (per TTL), proxy takes the highest of its members' answers.
 */
export async function getLatest(env: GoEnv, req: FormatRequest, path: GoPath): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const answers: { body: Uint8Array; version: string }[] = [];
  const failed: { error?: unknown } = {};
  for (const member of await env.engine.resolveMembers(req.repo.name)) {
    const body =
      member.repo_type === 'hosted'
        ? await hostedLatest(env, member, path.encoded)
        : member.repo_type === 'cache'
          ? await readMember(env, member.name, `${path.encoded}/@latest`, upstreamSignal(req), failed)
          : null;
    const version = body === null ? null : infoVersion(body);
    if (body !== null && version !== null) answers.push({ body, version });
  }
  if (answers.length === 0 && failed.error !== undefined) throw failed.error;
  if (answers.length === 0) throw notFound(`no versions of module ${path.module}`);
  const best = pickLatest(
    answers.map((a) => a.version),
    [],
  );
  const chosen = answers.find((a) => a.version === best) ?? (answers[0] as { body: Uint8Array });
  return bytesResponse(req, 'application/json', chosen.body);
}

/** `GET {module}/@v/{version}.{info,mod,zip}`: the first member holding it; cache fills are kept for good. */
export async function getVersionFile(
  env: GoEnv,
  req: FormatRequest,
  path: Extract<GoPath, { kind: 'file' }>,
): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const read = await env.engine.get(req.repo.name, req.path, {
    headOnly: req.method === 'HEAD',
    signal: upstreamSignal(req),
  });
  if (read === null) throw notFound(`${path.module}@${path.version}: no ${path.ext} file`);
  return immutableArtifactResponse(req, read, {
    'content-type': CONTENT_TYPES[path.ext],
    'x-content-type-options': 'nosniff',
  });
}
