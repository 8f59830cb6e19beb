import { badRequest, type CachePolicy, DepotError, type RepositoryEngine, type RepositoryRecord } from '@depot/core';
import { parseJsonObject, readRequestBody } from './body.js';
import { escapeName, validatePackageName } from './names.js';
import { dict } from './tags.js';
import { isObject, type Packument, type PackumentVersion } from './types.js';

/** Internal path under which a cache repository keeps an upstream packument (names never start with `_`). */
const PACKUMENT_DIR = '_npm/packument/';
/** Largest upstream packument Depot parses. */
const MAX_UPSTREAM_PACKUMENT = 128 * 1024 * 1024;

/** The internal artifact path of a cached packument. */
export function cachedPackumentPath(name: string): string {
  return `${PACKUMENT_DIR}${name}.json`;
}

function packumentNameOf(path: string): string | null {
  if (!path.startsWith(PACKUMENT_DIR) || !path.endsWith('.json')) return null;
  return path.slice(PACKUMENT_DIR.length, -'.json'.length);
}

const isTarball = (path: string): boolean => path.endsWith('.tgz') && path.includes('/-/');

/**
 * How cache repositories treat an npm upstream: packuments are mutable (revalidated per
 * `cache_ttl_secs` with the upstream's validators, stale on failure), tarballs immutable.
 */
export const NPM_CACHE_POLICY: CachePolicy = {
  isImmutable: isTarball,
  // The packument copy is the format's index, not an artifact: hidden from browse, search and cleanup.
  isInternal: (path) => packumentNameOf(path) !== null,
  upstreamUrl(repo: RepositoryRecord, path: string): string {
    const base = (repo.upstream_url ?? '').replace(/\/+$/, '');
    const name = packumentNameOf(path);
    // The CLI's own spelling of a scoped name (`@scope%2fname`); registries accept it.
    if (name !== null) return `${base}/${escapeName(validatePackageName(name))}`;
    return `${base}/${path}`;
  },
  validateResponse(path: string, status: number, headers: Headers): void {
    if (status !== 200) return;
    const type = headers.get('content-type') ?? '';
    if (packumentNameOf(path) !== null && !type.includes('json')) {
      throw new DepotError('UPSTREAM_ERROR', 'upstream answered a packument with a non-JSON body');
    }
    if (isTarball(path) && type.includes('text/html')) {
      throw new DepotError('UPSTREAM_ERROR', 'upstream answered a tarball with HTML');
    }
  },
  algorithms: ['sha512', 'sha1'],
};

/** Checks the minimum shape of an upstream packument; drops versions that are not objects. */
export function sanePackument(value: unknown, name: string): Packument {
  if (!isObject(value) || value.name !== name || !isObject(value.versions)) {
    throw new DepotError('UPSTREAM_ERROR', `upstream packument for ${name} is malformed`);
  }
  const versions = dict<PackumentVersion>();
  for (const [key, version] of Object.entries(value.versions)) {
    if (isObject(version) && isObject(version.dist) && typeof version.dist.tarball === 'string') {
      versions[key] = { ...version, name, version: key } as PackumentVersion;
    }
  }
  const tags = dict<string>();
  if (isObject(value['dist-tags'])) {
    for (const [tag, v] of Object.entries(value['dist-tags']))
      if (typeof v === 'string' && v in versions) tags[tag] = v;
  }
  const time = isObject(value.time) ? (value.time as Record<string, string>) : {};
  return { ...value, name, versions, 'dist-tags': tags, time };
}

/** The packument of `name` as a cache repository holds it (fetching or revalidating upstream). */
export async function cachedPackument(
  engine: RepositoryEngine,
  repo: string,
  name: string,
  signal?: AbortSignal,
): Promise<Packument | null> {
  const read = await engine.get(repo, cachedPackumentPath(name), signal === undefined ? {} : { signal });
  if (read === null || read.body === null) return null;
  const bytes = await readRequestBody(read.body, undefined, MAX_UPSTREAM_PACKUMENT);
  let parsed: unknown;
  try {
    parsed = parseJsonObject(bytes);
  } catch (err) {
    throw new DepotError('UPSTREAM_ERROR', `upstream packument for ${name} is not usable JSON`, { cause: err });
  }
  return sanePackument(parsed, name);
}

/** Throws when a cache repository's upstream is not configured. */
export function requireUpstream(repo: RepositoryRecord): void {
  if (repo.upstream_url === undefined || repo.upstream_url === '')
    throw badRequest(`cache repository ${repo.name} has no upstream_url`);
}
