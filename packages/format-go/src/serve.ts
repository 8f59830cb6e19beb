import {
  cooldownRefusal,
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
import { coolList, goCooldown, latestOf, versionTime } from './cooldown.js';
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

/** A cache member's upstream list, without versions still in the member's cooldown; `null` when it has none. */
async function cacheList(
  env: GoEnv,
  member: RepositoryRecord,
  path: GoPath,
  signal: AbortSignal | undefined,
  failed: { error?: unknown },
): Promise<string[] | null> {
  const body = await readMember(env, member.name, `${path.encoded}/@v/list`, signal, failed);
  if (body === null) return null;
  const listed = new TextDecoder().decode(body).split(/\s+/).filter(Boolean);
  return coolList(env, member, path.module, path.encoded, listed, signal);
}

/**
 * A cache member's `@latest`: the upstream's answer, unless that version is still cooling down;
 * then the `.info` of the highest listed version past it (`null` when there is none).
 */
async function cacheLatest(
  env: GoEnv,
  member: RepositoryRecord,
  path: GoPath,
  signal: AbortSignal | undefined,
  failed: { error?: unknown },
): Promise<Uint8Array | null> {
  const body = await readMember(env, member.name, `${path.encoded}/@latest`, signal, failed);
  const cooldown = goCooldown(env, member);
  if (body === null || cooldown === null) return body;
  if (!cooldown.hides(path.module, infoTime(body))) return body;
  const listed = (await cacheList(env, member, path, signal, failed)) ?? [];
  const best = latestOf(listed);
  return best === null ? null : readSmall(env, member.name, filePath(path.encoded, encodeCase(best), 'info'), signal);
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
      const listed = await cacheList(env, member, path, upstreamSignal(req), failed);
      if (listed === null) continue;
      any = true;
      versions.push(...listed);
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

const infoTime = (body: Uint8Array): string | undefined => {
  try {
    const t = (JSON.parse(new TextDecoder().decode(body)) as { Time?: unknown }).Time;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
};

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
          ? await cacheLatest(env, member, path, upstreamSignal(req), failed)
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

/**
 * `FORBIDDEN` for a `.mod` or `.zip` of a version still in the cooldown of a cache (the repository
 * itself or a proxy's cache member). `.info` stays readable: it is how the time is learnt.
 */
async function refuseCooling(env: GoEnv, req: FormatRequest, path: Extract<GoPath, { kind: 'file' }>): Promise<void> {
  if (path.ext === 'info') return;
  for (const member of await env.engine.resolveMembers(req.repo.name)) {
    const cooldown = goCooldown(env, member);
    if (cooldown === null || cooldown.allows(path.module)) continue;
    // An upstream that cannot say when the version was published does not block the download.
    const time = await versionTime(env, member.name, path.encoded, path.version, upstreamSignal(req)).catch(
      () => undefined,
    );
    if (time !== undefined && cooldown.hides(path.module, time)) {
      throw cooldownRefusal(member.name, `${path.module}@${path.version}`, cooldown.until(time));
    }
  }
}

/** `GET {module}/@v/{version}.{info,mod,zip}`: the first member holding it; cache fills are kept for good. */
export async function getVersionFile(
  env: GoEnv,
  req: FormatRequest,
  path: Extract<GoPath, { kind: 'file' }>,
): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  await refuseCooling(env, req, path);
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
