import { DepotError, isDepotError, type KvStore, type RecordView, recordView } from '@depot/core';
import type { ProjectRecord } from './types.js';

/** Where hosted project records live in the format's KV namespace: `proj/{repo}/{project}`. */
export const PROJECT_PREFIX = 'proj/';
const SCHEMA_VERSION = 1;
const MAX_CAS_ATTEMPTS = 32;

/** Hosted project records, updated with compare-and-swap. */
export interface ProjectStore {
  get(repo: string, project: string): Promise<ProjectRecord | null>;
  /**
   * Applies `change` to the current record (or `null`) and writes the result with CAS, retrying
   * on a lost race. `change` may throw to refuse; returning `null` deletes the record.
   */
  update(
    repo: string,
    project: string,
    change: (current: ProjectRecord | null) => ProjectRecord | null,
  ): Promise<ProjectRecord | null>;
  /** Every project of a repository, by normalized name. */
  scan(repo: string): AsyncIterable<{ project: string; record: ProjectRecord }>;
}

/** Creates the project store over the format's KV namespace. */
export function projectStore(kv: KvStore): ProjectStore {
  const view: RecordView<ProjectRecord> = recordView<ProjectRecord>(kv, {
    prefix: PROJECT_PREFIX,
    schemaVersion: SCHEMA_VERSION,
  });
  const id = (repo: string, project: string): string => `${repo}/${project}`;
  return {
    get: (repo, project) => view.get(id(repo, project)),
    async update(repo, project, change) {
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const current = await view.getVersioned(id(repo, project));
        const next = change(current?.record ?? null);
        try {
          if (next === null) {
            if (current !== null) await view.deleteIfVersion(id(repo, project), current.version);
            return null;
          }
          await view.putIfVersion(id(repo, project), next, current?.version ?? null);
          return next;
        } catch (err) {
          if (!isDepotError(err, 'CONFLICT')) throw err;
        }
      }
      throw new DepotError('CONFLICT', 'project record is being updated concurrently; retry');
    },
    async *scan(repo) {
      const prefix = `${repo}/`;
      for await (const entry of view.scan({ prefix })) {
        yield { project: entry.id.slice(prefix.length), record: entry.record };
      }
    },
  };
}
