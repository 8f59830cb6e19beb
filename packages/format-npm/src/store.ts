import { createHash } from 'node:crypto';
import { DepotError, isDepotError, type KvStore, type RecordView, recordView } from '@depot/core';
import type { Packument, StoredPackument } from './types.js';

/**
 * Where hosted packuments live in the format's KV namespace: `{repo}/{name}` (`fmt/npm/` of the
 * shared store). Repository names start with a letter or digit, so no other npm record (`-pin/…`)
 * can fall under a repository's prefix.
 */
export const PACKUMENT_PREFIX = '';
const SCHEMA_VERSION = 1;
const MAX_CAS_ATTEMPTS = 32;

/** Hosted packuments kept as JSON records, updated with compare-and-swap. */
export interface PackumentStore {
  get(repo: string, name: string): Promise<StoredPackument | null>;
  /**
   * Applies `change` to the current document (or `null`) and writes the result with CAS, retrying
   * on a lost race so concurrent publishes of different versions all land. `change` may throw to
   * refuse; returning `null` deletes the document.
   */
  update(
    repo: string,
    name: string,
    change: (current: StoredPackument | null) => Packument | null,
  ): Promise<StoredPackument | null>;
  /** Every packument of a repository. */
  scan(repo: string): AsyncIterable<StoredPackument>;
}

/** A revision string in CouchDB's `{seq}-{hash}` shape, which npm echoes back on unpublish. */
function revision(seq: number, doc: Packument): string {
  return `${seq}-${createHash('sha1').update(JSON.stringify(doc)).digest('hex').slice(0, 16)}`;
}

/** Creates the packument store over the format's KV namespace. */
export function packumentStore(kv: KvStore): PackumentStore {
  const view: RecordView<StoredPackument> = recordView<StoredPackument>(kv, {
    prefix: PACKUMENT_PREFIX,
    schemaVersion: SCHEMA_VERSION,
  });
  const id = (repo: string, name: string): string => `${repo}/${name}`;
  return {
    get: (repo, name) => view.get(id(repo, name)),
    async update(repo, name, change) {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await view.getVersioned(id(repo, name));
        const doc = change(current?.record ?? null);
        try {
          if (doc === null) {
            if (current !== null) await view.deleteIfVersion(id(repo, name), current.version);
            return null;
          }
          const seq = (current?.record.seq ?? 0) + 1;
          const next: StoredPackument = { seq, rev: revision(seq, doc), doc };
          await view.putIfVersion(id(repo, name), next, current?.version ?? null);
          return next;
        } catch (err) {
          if (!isDepotError(err, 'CONFLICT')) throw err;
        }
      }
      throw new DepotError('CONFLICT', 'package document is being updated concurrently; retry');
    },
    async *scan(repo) {
      for await (const entry of view.scan({ prefix: `${repo}/` })) yield entry.record;
    },
  };
}
