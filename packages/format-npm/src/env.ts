import {
  cooldownOf,
  type FormatContext,
  isDepotError,
  type RepositoryEngine,
  type RepositoryRecord,
} from '@depot/core';
import { cachedPackument } from './cache.js';
import { withCooldown } from './cooldown.js';
import { type MergeCache, mergePackuments } from './merge.js';
import type { IntegrityPins } from './pins.js';
import { versionFile } from './render.js';
import type { ByteBudget } from './slots.js';
import type { PackumentStore } from './store.js';
import type { Packument } from './types.js';

/** What every npm route works with. */
export interface NpmEnv {
  readonly ctx: FormatContext;
  /** The engine acting as the request's caller (`req.engine`); the context's (system) one outside requests. */
  readonly engine: RepositoryEngine;
  readonly store: PackumentStore;
  readonly merged: MergeCache;
  /** First-seen tarball digests of cache repositories. */
  readonly pins: IntegrityPins;
  /** Bytes of packument PUTs (publishes) read and processed at once; more are answered 429. */
  readonly publishes: ByteBudget;
  /** Largest publish body accepted, in bytes. */
  publishLimit(): number;
}

/** A packument and, for hosted documents, its revision. */
export interface LoadedPackument {
  readonly doc: Packument;
  readonly rev?: string;
}

/** The packument of `name` in one repository of any type, or `null`. */
export async function loadPackument(
  env: NpmEnv,
  repo: RepositoryRecord,
  name: string,
  signal?: AbortSignal,
): Promise<LoadedPackument | null> {
  if (repo.repo_type === 'hosted') {
    const stored = await env.store.get(repo.name, name);
    return stored === null ? null : { doc: stored.doc, rev: stored.rev };
  }
  if (repo.repo_type === 'cache') {
    const doc = await cachedPackument(env.engine, repo.name, name, signal);
    if (doc === null) return null;
    const pinned = await env.pins.apply(repo.name, doc);
    const cooldown = cooldownOf(repo, env.ctx.now());
    return { doc: cooldown === null ? pinned : withCooldown(pinned, cooldown, versionFile) };
  }
  // Only the members the caller may read; the merge is cached per visible member set, so one
  // caller's merge (an admin's, with every member) is never served to another who sees fewer.
  const members = await env.engine.resolveMembers(repo.name);
  const cacheKey = [repo.name, ...members.map((m) => m.name)].join('\u0001');
  const hit = env.merged.get(cacheKey, name);
  if (hit !== undefined) return { doc: hit };
  const docs: Packument[] = [];
  let failure: unknown;
  for (const member of members) {
    if (member.name === repo.name || member.repo_type === 'proxy') continue;
    try {
      const found = await loadPackument(env, member, name, signal);
      if (found !== null) docs.push(found.doc);
    } catch (err) {
      // One failing member (an upstream down with nothing cached) must not hide the others.
      env.ctx.logger.warn({ repo: repo.name, member: member.name, err: String(err) }, 'npm proxy member failed');
      if (!isDepotError(err, 'UPSTREAM_ERROR')) failure ??= err;
    }
  }
  const doc = mergePackuments(docs);
  if (doc === null) {
    // No reachable member knows the name. When the only failures are upstreams that could not be
    // asked, that is a 404, as verdaccio answers for an unreachable uplink: a 502 here made every
    // first `npm publish` through a proxy wait out npm's 5xx retries (10 s + 60 s) whenever a
    // cache member's upstream was down, since npm 11 reads the packument before publishing.
    if (failure !== undefined) throw failure;
    return null;
  }
  env.merged.set(cacheKey, name, doc);
  return { doc };
}
