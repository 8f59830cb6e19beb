import { cleanupSkipReason, type DepotRecords, expiredArtifacts, type Format } from '@depot/core';

/** One artifact a cleanup pass expired (or, dry, would expire). */
export interface ExpiredArtifact {
  readonly repo: string;
  readonly path: string;
  readonly size: number;
  readonly created_at: string;
  readonly last_accessed_at: string;
}

/** What a cleanup pass did. */
export interface CleanupPassResult {
  readonly dry_run: boolean;
  /** Repositories whose policies were applied. */
  readonly repositories: number;
  readonly expired: number;
  readonly expired_bytes: number;
  /** The first 1000 expired artifacts. */
  readonly artifacts: readonly ExpiredArtifact[];
  /** Repositories with a policy that was not applied, and why. */
  readonly skipped: readonly { readonly repo: string; readonly reason: string }[];
}

/** How a pass reaches the rest of the server. */
export interface CleanupPassDeps {
  readonly records: DepotRecords;
  format(name: string): Format | undefined;
  /** Deletes one artifact as the system (the engine's delete). */
  deleteArtifact(repo: string, path: string): Promise<boolean>;
  readonly now: () => number;
}

/**
 * Applies every repository's cleanup policies (`cleanup_max_age_days`,
 * `cleanup_max_unaccessed_days`), or only `repo`'s: expired artifacts are deleted (their blobs go
 * with the next GC passes), or with `dryRun` only listed. `signal` stops between artifacts.
 */
export async function runCleanupPass(
  deps: CleanupPassDeps,
  options: {
    readonly dryRun: boolean;
    readonly repo?: string;
    readonly signal?: AbortSignal;
    onProgress?(done: number): void;
  },
): Promise<CleanupPassResult> {
  const artifacts: ExpiredArtifact[] = [];
  const skipped: { repo: string; reason: string }[] = [];
  let repositories = 0;
  let expired = 0;
  let bytes = 0;
  const now = deps.now();
  for await (const { record: repo } of deps.records.repositories.scan()) {
    if (options.repo !== undefined && repo.name !== options.repo) continue;
    const reason = cleanupSkipReason(repo, deps.format(repo.format));
    if (reason !== null) {
      if (reason !== 'no policy') skipped.push({ repo: repo.name, reason });
      continue;
    }
    repositories++;
    for await (const artifact of expiredArtifacts(deps.records, repo, now)) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!options.dryRun && !(await deps.deleteArtifact(repo.name, artifact.path))) continue;
      expired++;
      bytes += artifact.size;
      if (artifacts.length < 1000) {
        const { path, size, created_at, last_accessed_at } = artifact;
        artifacts.push({ repo: repo.name, path, size, created_at, last_accessed_at });
      }
      options.onProgress?.(expired);
    }
  }
  return { dry_run: options.dryRun, repositories, expired, expired_bytes: bytes, artifacts, skipped };
}
