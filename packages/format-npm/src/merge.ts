import { dict } from './tags.js';
import type { Packument, PackumentVersion } from './types.js';

/**
 * Merges member packuments in member order: versions first-member-wins, dist-tags with
 * first-member precedence (only when the merged document holds the version), `time` first-wins
 * per key with `modified` the latest of all.
 */
export function mergePackuments(docs: readonly Packument[]): Packument | null {
  const first = docs[0];
  if (first === undefined) return null;
  const versions = dict<PackumentVersion>();
  const tags = dict<string>();
  const time = dict<string>();
  let modified = '';
  for (const doc of docs) {
    for (const [key, version] of Object.entries(doc.versions)) if (!(key in versions)) versions[key] = version;
    for (const [key, at] of Object.entries(doc.time ?? {})) {
      if (key === 'modified') modified = at > modified ? at : modified;
      else if (!(key in time)) time[key] = at;
    }
  }
  for (const doc of docs) {
    for (const [tag, version] of Object.entries(doc['dist-tags'])) {
      if (!(tag in tags) && version in versions) tags[tag] = version;
    }
  }
  if (modified !== '') time.modified = modified;
  return { ...first, versions, 'dist-tags': tags, time };
}

/** A short-lived in-memory cache of merged proxy packuments. */
export interface MergeCache {
  get(repo: string, name: string): Packument | undefined;
  set(repo: string, name: string, doc: Packument): void;
  /** Drops every proxy's entry for `name` (a member changed on this instance). */
  invalidate(name: string): void;
}

/**
 * Creates a {@link MergeCache}. Writes through this instance invalidate at once; writes on other
 * instances (and upstream changes) are seen after `ttlMs` at most.
 */
export function mergeCache(ttlMs: number, now: () => number = Date.now, maxEntries = 10_000): MergeCache {
  const entries = new Map<string, { readonly doc: Packument; readonly expires: number; readonly name: string }>();
  const key = (repo: string, name: string): string => `${repo}\u0000${name}`;
  return {
    get(repo, name) {
      const entry = entries.get(key(repo, name));
      if (entry === undefined) return undefined;
      if (entry.expires <= now()) {
        entries.delete(key(repo, name));
        return undefined;
      }
      return entry.doc;
    },
    set(repo, name, doc) {
      if (ttlMs <= 0) return;
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key(repo, name), { doc, expires: now() + ttlMs, name });
    },
    invalidate(name) {
      for (const [k, entry] of entries) if (entry.name === name) entries.delete(k);
    },
  };
}
