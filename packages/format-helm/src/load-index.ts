import { isDepotError, type RepositoryRecord } from '@depot/core';
import { loadCacheIndex } from './cache-index.js';
import type { HelmEnv } from './env.js';
import { buildIndex, contentKey, type IndexDoc, type IndexEntry, parseIndex } from './index-doc.js';

/** An index document and a key that changes whenever its content does. */
export interface LoadedIndex {
  readonly doc: IndexDoc;
  readonly key: string;
}

/** A hosted repository's generated index, parsed once per content. */
async function loadHostedIndex(env: HelmEnv, repo: RepositoryRecord): Promise<LoadedIndex> {
  const bytes = await env.hostedIndex.read(repo.name);
  const key = contentKey(bytes);
  const memoKey = `hosted\u0000${repo.name}\u0000${key}`;
  let doc = env.parsed.get(memoKey);
  if (doc === undefined) {
    doc = parseIndex(new TextDecoder().decode(bytes), `index.yaml of ${repo.name}`);
    env.parsed.set(memoKey, doc);
  }
  return { doc, key };
}

/**
 * A proxy's index: its members' indexes merged, the first member that lists a name and version
 * wins. Chart URLs stay relative (each member's path), and a proxy read of that path walks the
 * members in the same order. A member that fails is skipped and logged.
 */
async function loadProxyIndex(env: HelmEnv, repo: RepositoryRecord, signal?: AbortSignal): Promise<LoadedIndex> {
  const members = await env.engine.resolveMembers(repo.name);
  const loaded: LoadedIndex[] = [];
  for (const member of members) {
    if (member.name === repo.name || member.repo_type === 'proxy') continue;
    try {
      const index = await loadIndex(env, member, signal);
      if (index !== null) loaded.push(index);
    } catch (err) {
      env.ctx.logger.warn({ repo: repo.name, member: member.name, err: String(err) }, 'helm proxy member failed');
      if (!isDepotError(err)) throw err;
    }
  }
  const key = contentKey(loaded.map((l) => l.key).join('\u0000') + members.map((m) => m.name).join('\u0000'));
  const memoKey = `proxy\u0000${repo.name}\u0000${key}`;
  const hit = env.parsed.get(memoKey);
  if (hit !== undefined) return { doc: hit, key };
  const seen = new Set<string>();
  const entries: IndexEntry[] = [];
  for (const { doc } of loaded) {
    for (const [name, list] of Object.entries(doc.entries)) {
      for (const entry of list) {
        const id = `${name}\u0000${entry.version}`;
        if (seen.has(id)) continue;
        seen.add(id);
        entries.push({ ...entry, name });
      }
    }
  }
  const doc = buildIndex(entries, new Date().toISOString());
  env.parsed.set(memoKey, doc);
  return { doc, key };
}

/** The index of any repository: generated (hosted), rewritten upstream copy (cache) or merged (proxy). */
export async function loadIndex(
  env: HelmEnv,
  repo: RepositoryRecord,
  signal?: AbortSignal,
): Promise<LoadedIndex | null> {
  switch (repo.repo_type) {
    case 'hosted':
      return loadHostedIndex(env, repo);
    case 'cache':
      return loadCacheIndex(env, repo, signal);
    default:
      return loadProxyIndex(env, repo, signal);
  }
}

/** The entry whose chart URL is `path`, if the index lists one. */
export function entryAt(doc: IndexDoc, path: string): IndexEntry | undefined {
  for (const list of Object.values(doc.entries)) {
    const found = list.find((e) => e.urls[0] === path);
    if (found !== undefined) return found;
  }
  return undefined;
}
