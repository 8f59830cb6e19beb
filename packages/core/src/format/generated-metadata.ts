import { randomUUID } from 'node:crypto';
import { isDepotError } from '../errors/depot-error.js';
import { BytesLru } from '../internal/bytes-lru.js';
import { singleFlight } from '../internal/single-flight.js';
import type { KvStore } from '../kv/kv-store.js';
import type { RepositoryRecord } from '../kv/records.js';
import { type Logger, noopLogger } from '../logger.js';

/** Options of {@link generatedMetadata}. */
export interface GeneratedMetadataOptions {
  readonly kv: KvStore;
  /**
   * Key prefix of the format's own namespace, ending in `/` (e.g. `fmt/pypi/simple/`). Under it
   * live, per repository and scope, a stale token, a pointer and the content it points to.
   */
  readonly prefix: string;
  /** Builds the metadata of `repo` for `scope` (`''` for the whole repository, or a package name). */
  build(repo: string, scope: string): Promise<Uint8Array | string>;
  /**
   * The proxy repositories that contain `repo`, directly or through nested proxies: a write marks
   * them stale too. Default: none.
   */
  containers?(repo: string): Promise<readonly string[]>;
  readonly logger?: Logger;
  /** How often one read rebuilds again when writes keep landing during its rebuild (default 3). */
  readonly maxPasses?: number;
  /**
   * Bytes of built content kept in memory (default 16 MiB): content keys are never reused, so a
   * read of fresh metadata costs two small KV reads and no copy of a large document.
   */
  readonly memoryBytes?: number;
}

/** Generated metadata (an index, a packument, `Packages`) rebuilt lazily after writes. */
export interface GeneratedMetadata {
  /** Call after every write that changes `repo`'s metadata; proxies containing it go stale too. */
  markStale(repo: string, scope?: string): Promise<void>;
  /**
   * The current metadata. Rebuilt first when stale; concurrent reads share one rebuild. When a
   * rebuild fails the previous metadata is served (logged); with none, the error is thrown.
   */
  read(repo: string, scope?: string): Promise<Uint8Array>;
  /** True when the next read rebuilds. */
  isStale(repo: string, scope?: string): Promise<boolean>;
}

/** What the pointer record holds: where the content is and which stale token it was built from. */
interface Pointer {
  readonly content: string;
  readonly built_from: string | null;
}

/** Default bytes of built content {@link generatedMetadata} keeps in memory. */
const DEFAULT_MEMORY_BYTES = 16 * 1024 * 1024;

const enc = new TextEncoder();
const dec = new TextDecoder();

function parsePointer(raw: Uint8Array | undefined): Pointer | null {
  if (raw === undefined) return null;
  try {
    const p = JSON.parse(dec.decode(raw)) as Partial<Pointer>;
    return typeof p.content === 'string' ? { content: p.content, built_from: p.built_from ?? null } : null;
  } catch {
    return null;
  }
}

/**
 * The stale-flag pattern for generated metadata. A write puts a fresh random *stale token*; the
 * pointer remembers the token its content was built from, so metadata is stale exactly when the two
 * differ (a write during a rebuild leaves it stale, and the next read rebuilds again). A rebuild
 * writes the content under a new key first and swaps the pointer last: a crash in between leaves
 * the previous metadata served and an orphan content key that the next rebuild does not reuse.
 */
export function generatedMetadata(options: GeneratedMetadataOptions): GeneratedMetadata {
  const { kv, prefix, build, logger = noopLogger, maxPasses = 3 } = options;
  const base = (repo: string, scope: string): string =>
    `${prefix}${encodeURIComponent(repo)}/${encodeURIComponent(scope)}/`;
  const staleKey = (repo: string, scope: string): string => `${base(repo, scope)}stale`;
  const pointerKey = (repo: string, scope: string): string => `${base(repo, scope)}pointer`;
  const flights = singleFlight<Uint8Array>();
  const memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const held = new BytesLru(memoryBytes, memoryBytes);

  /** The content at `key`: from memory when held (keys are immutable), else the KV store. */
  const contentAt = async (key: string): Promise<Uint8Array | null> => {
    const hit = held.get(key);
    if (hit !== undefined) return hit;
    const bytes = await kv.get(key);
    if (bytes !== null) held.set(key, bytes);
    return bytes;
  };

  const token = async (repo: string, scope: string): Promise<string | null> => {
    const raw = await kv.get(staleKey(repo, scope));
    return raw === null ? null : dec.decode(raw);
  };

  /** The fresh content, or `null` when stale or missing. */
  const fresh = async (repo: string, scope: string): Promise<Uint8Array | null> => {
    const [current, raw] = await Promise.all([token(repo, scope), kv.get(pointerKey(repo, scope))]);
    const pointer = parsePointer(raw ?? undefined);
    if (pointer === null || pointer.built_from !== current) return null;
    return contentAt(pointer.content);
  };

  /** One rebuild: content first, pointer last (compare-and-swap), then the old content goes. */
  const rebuildOnce = async (repo: string, scope: string): Promise<{ body: Uint8Array; from: string | null }> => {
    const from = await token(repo, scope);
    const previous = await kv.getVersioned(pointerKey(repo, scope));
    const built = await build(repo, scope);
    const body = typeof built === 'string' ? enc.encode(built) : built;
    const content = `${base(repo, scope)}content/${randomUUID()}`;
    await kv.put(content, body);
    held.set(content, body);
    const pointer: Pointer = { content, built_from: from };
    try {
      await kv.putIfVersion(pointerKey(repo, scope), enc.encode(JSON.stringify(pointer)), previous?.version ?? null);
    } catch (err) {
      // Another process rebuilt meanwhile: its pointer wins, ours is dropped.
      await kv.delete(content);
      held.delete(content);
      if (!isDepotError(err, 'CONFLICT')) throw err;
      return { body: (await fresh(repo, scope)) ?? body, from };
    }
    const old = parsePointer(previous?.value);
    if (old !== null && old.content !== content) {
      await kv.delete(old.content);
      held.delete(old.content);
    }
    return { body, from };
  };

  const rebuild = async (repo: string, scope: string): Promise<Uint8Array> => {
    let result = await rebuildOnce(repo, scope);
    // A write that landed while building: build again so readers that came after it see it.
    for (let pass = 1; pass < maxPasses && (await token(repo, scope)) !== result.from; pass++) {
      result = await rebuildOnce(repo, scope);
    }
    return result.body;
  };

  const previousContent = async (repo: string, scope: string): Promise<Uint8Array | null> => {
    const pointer = parsePointer((await kv.get(pointerKey(repo, scope))) ?? undefined);
    return pointer === null ? null : contentAt(pointer.content);
  };

  return {
    async markStale(repo, scope = '') {
      const targets = [repo, ...((await options.containers?.(repo)) ?? [])];
      const value = enc.encode(randomUUID());
      await kv.batch(targets.map((name) => ({ type: 'put' as const, key: staleKey(name, scope), value })));
    },
    async read(repo, scope = '') {
      const current = await fresh(repo, scope);
      if (current !== null) return current;
      const { promise } = flights.run(`${repo}\u0000${scope}`, () => rebuild(repo, scope));
      try {
        return await promise;
      } catch (err) {
        const previous = await previousContent(repo, scope);
        if (previous === null) throw err;
        logger.warn({ err, repo, scope }, 'metadata rebuild failed; serving the previous metadata');
        return previous;
      }
    },
    async isStale(repo, scope = '') {
      return (await fresh(repo, scope)) === null;
    },
  };
}

/**
 * The proxy repositories that contain `repo`, directly or through nested proxies (for
 * {@link GeneratedMetadataOptions.containers}). `scan` yields every repository record.
 */
export async function proxiesContaining(
  scan: () => AsyncIterable<Pick<RepositoryRecord, 'name' | 'repo_type' | 'members'>>,
  repo: string,
): Promise<string[]> {
  const parents = new Map<string, string[]>();
  for await (const record of scan()) {
    if (record.repo_type !== 'proxy') continue;
    for (const member of record.members ?? []) parents.set(member, [...(parents.get(member) ?? []), record.name]);
  }
  const found = new Set<string>();
  const queue = [repo];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const parent of parents.get(next) ?? []) {
      if (parent === repo || found.has(parent)) continue;
      found.add(parent);
      queue.push(parent);
    }
  }
  return [...found];
}
