import { isDepotError, type KvStore, recordView } from '@depot/core';
import { identity } from './names.js';

/** A dependency as the sparse index lists it. */
export interface IndexDependency {
  readonly name: string;
  readonly req: string;
  readonly features: readonly string[];
  readonly optional: boolean;
  readonly default_features: boolean;
  readonly target: string | null;
  readonly kind: 'normal' | 'dev' | 'build';
  readonly registry?: string;
  readonly package?: string;
}

/** One line of an index file: one version of a crate, every field cargo reads. */
export interface IndexEntry {
  readonly name: string;
  readonly vers: string;
  readonly deps: readonly IndexDependency[];
  readonly cksum: string;
  readonly features: Readonly<Record<string, readonly string[]>>;
  readonly features2?: Readonly<Record<string, readonly string[]>>;
  readonly yanked: boolean;
  readonly links: string | null;
  readonly rust_version?: string;
  readonly v: 1 | 2;
}

/** Everything a hosted repository keeps of one crate (`crate/{repo}/{identity}`). */
export interface CrateRecord {
  /** The name as first published; later publishes must spell it the same. */
  readonly name: string;
  /** Versions in publish order (the index file's line order). */
  readonly versions: readonly IndexEntry[];
  /** Depot usernames allowed to publish new versions, yank and change owners. */
  readonly owners: readonly string[];
  /** The description of the latest publish (for search). */
  readonly description: string | null;
  readonly updated_at: string;
}

/** KV prefix of a repository's crate records. */
export const CRATE_PREFIX = 'crate/';

const idOf = (repo: string, name: string): string => `${encodeURIComponent(repo)}/${identity(name)}`;

/** The crate records of every hosted repository, in the format's KV namespace. */
export function crateRecords(kv: KvStore) {
  const view = recordView<CrateRecord>(kv, { prefix: CRATE_PREFIX, schemaVersion: 1 });
  return {
    /** The crate whose name is `name` in any spelling (`-`/`_`, case), or `null`. */
    get: (repo: string, name: string): Promise<CrateRecord | null> => view.get(idOf(repo, name)),
    /** The same with the record's version (it changes with every write). */
    getVersioned: (repo: string, name: string) => view.getVersioned(idOf(repo, name)),
    /**
     * Applies `change` to the current record with compare-and-swap, retrying on a concurrent
     * write; `change` may throw to refuse. Returns the stored record.
     */
    async update(
      repo: string,
      name: string,
      change: (current: CrateRecord | null) => CrateRecord,
    ): Promise<CrateRecord> {
      const id = idOf(repo, name);
      for (let attempt = 0; ; attempt++) {
        const current = await view.getVersioned(id);
        const next = change(current?.record ?? null);
        try {
          await view.putIfVersion(id, next, current?.version ?? null);
          return next;
        } catch (err) {
          if (!isDepotError(err, 'CONFLICT') || attempt >= 20) throw err;
        }
      }
    },
    /** Every crate of `repo`. */
    async *scan(repo: string): AsyncIterable<CrateRecord> {
      for await (const { record } of view.scan({ prefix: `${encodeURIComponent(repo)}/` })) yield record;
    },
  };
}

/** The crate store's type. */
export type CrateRecords = ReturnType<typeof crateRecords>;

/** An index file: one JSON line per version. */
export const renderIndexFile = (entries: readonly IndexEntry[]): string =>
  entries.map((e) => `${JSON.stringify(e)}\n`).join('');
