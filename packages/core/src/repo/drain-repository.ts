import { conflict } from '../errors/depot-error.js';
import type { KvStore } from '../kv/kv-store.js';
import { artifactId, type DepotRecords, type RepositoryRecord } from '../kv/records.js';

/** Options of {@link drainRepository}. */
export interface DrainOptions {
  /**
   * Absolute KV prefixes of the records the repository's format keeps of its own
   * (`repositoryRecordKeys(format, name)`); each is emptied too.
   */
  readonly formatPrefixes?: readonly string[];
  /** Stops between pages; the drain is then incomplete and can be run again. */
  readonly signal?: AbortSignal;
}

/** What {@link drainRepository} did. */
export interface DrainResult {
  /** Artifact records removed. */
  readonly artifacts: number;
  /** False when stopped by the signal before the repository record was removed. */
  readonly complete: boolean;
}

const PAGE = 500;

/** Deletes every KV key under `prefix`, a page at a time; the count, or -1 when stopped early. */
async function deleteKeysUnder(kv: KvStore, prefix: string, signal: AbortSignal | undefined): Promise<number> {
  let deleted = 0;
  for (;;) {
    if (signal?.aborted) return -1;
    const page = await kv.list({ prefix, limit: PAGE });
    if (page.entries.length === 0) return deleted;
    await kv.batch(page.entries.map((entry) => ({ type: 'delete' as const, key: entry.key })));
    deleted += page.entries.length;
  }
}

/**
 * Removes a repository marked `deleting`: its artifact records, directory aggregates and the
 * format's own records (`formatPrefixes`), then the repository record itself, so a new repository
 * of the same name starts empty. Blobs stay for garbage collection (dedup may share them). Safe to
 * run again after an interruption. A repository that is not marked is `CONFLICT` and nothing is
 * touched; one already gone has nothing left to drain.
 */
export async function drainRepository(
  records: DepotRecords,
  repo: Pick<RepositoryRecord, 'name'>,
  options: DrainOptions = {},
): Promise<DrainResult> {
  const { signal } = options;
  const marked = await records.repositories.get(repo.name);
  if (marked === null) return { artifacts: 0, complete: true };
  if (marked.deleting !== true) throw conflict(`repository "${repo.name}" is not marked for deletion`);
  const prefix = artifactId(repo.name, '');
  const artifacts = await deleteKeysUnder(records.kv, records.artifacts.prefix + prefix, signal);
  const prefixes = [records.dirs.prefix + prefix, ...(options.formatPrefixes ?? [])];
  for (const own of artifacts < 0 ? [] : prefixes) {
    if ((await deleteKeysUnder(records.kv, own, signal)) < 0) break;
  }
  if (artifacts < 0 || signal?.aborted) return { artifacts: Math.max(artifacts, 0), complete: false };
  const current = await records.repositories.getVersioned(repo.name);
  if (current?.record.deleting) await records.repositories.deleteIfVersion(repo.name, current.version);
  return { artifacts, complete: true };
}
