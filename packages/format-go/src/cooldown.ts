import { type Cooldown, cooldownOf, type RepositoryRecord, readBounded } from '@depot/core';
import type { GoEnv } from './env.js';
import { encodeCase } from './module-path.js';
import { filePath } from './paths.js';
import { sortVersions } from './version.js';
import { MAX_METADATA_BYTES, pickLatest } from './versions.js';

/** The cooldown of cache repository `repo` now, or `null`. */
export const goCooldown = (env: GoEnv, repo: RepositoryRecord): Cooldown | null =>
  repo.repo_type === 'cache' ? cooldownOf(repo, env.ctx.now()) : null;

/** The `Time` of `version`'s `.info` in cache `repo` (fetched once, kept for good), if it says one. */
export async function versionTime(
  env: GoEnv,
  repo: string,
  encoded: string,
  version: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const read = await env.engine.get(repo, filePath(encoded, encodeCase(version), 'info'), { signal });
  if (read === null || read.body === null) return undefined;
  try {
    const time = (
      JSON.parse(new TextDecoder().decode(await readBounded(read.body, MAX_METADATA_BYTES))) as { Time?: unknown }
    ).Time;
    return typeof time === 'string' ? time : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `versions` (a cache's upstream list) without those still cooling down. Versions are checked from
 * the highest down by their `.info` `Time`, stopping at the first one published before the cutoff:
 * lower versions are taken to be older (one or two `.info` reads per module, not one per version).
 */
export async function coolList(
  env: GoEnv,
  repo: RepositoryRecord,
  module: string,
  encoded: string,
  versions: readonly string[],
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const cooldown = goCooldown(env, repo);
  if (cooldown === null || cooldown.allows(module)) return [...versions];
  const descending = sortVersions(versions).reverse();
  const hidden = new Set<string>();
  for (const version of descending) {
    const time = await versionTime(env, repo.name, encoded, version, signal);
    if (!cooldown.hides(module, time)) break;
    hidden.add(version);
  }
  return versions.filter((v) => !hidden.has(v));
}

/** The highest version of `versions` past its cooldown, for a cache `@latest` whose answer is too new. */
export const latestOf = (versions: readonly string[]): string | null => pickLatest(versions, []);
