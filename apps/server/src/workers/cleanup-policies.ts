import {
  cleanupSkipReason,
  type DepotRecords,
  expiredArtifacts,
  type Format,
  keepLastSkipReason,
  type PackageVersionsHook,
  versionsBeyondKeepLast,
} from '@depot/core';

/** One artifact a cleanup pass expired (or, dry, would expire). */
export interface ExpiredArtifact {
  readonly repo: string;
  readonly path: string;
  readonly size: number;
  readonly created_at: string;
  readonly last_accessed_at: string;
}

/** One package version `cleanup_keep_last` removed (or, dry, would remove). */
export interface RemovedVersion {
  readonly repo: string;
  readonly package: string;
  readonly version: string;
  readonly published_at: string;
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
  /** Package versions beyond `cleanup_keep_last` that were removed. */
  readonly removed_versions: number;
  /** The first 1000 of them. */
  readonly versions: readonly RemovedVersion[];
  /** Repositories with a policy that was not applied, and why (also versions a format refused to remove). */
  readonly skipped: readonly { readonly repo: string; readonly reason: string }[];
}

/** How a pass reaches the rest of the server. */
export interface CleanupPassDeps {
  readonly records: DepotRecords;
  format(name: string): Format | undefined;
  /** The initialised format's `versions` hook, for `cleanup_keep_last`. */
  versions(format: string): PackageVersionsHook | undefined;
  /** Deletes one artifact as the system (the engine's delete). */
  deleteArtifact(repo: string, path: string): Promise<boolean>;
  readonly now: () => number;
}

/**
 * Applies every repository's cleanup policies (`cleanup_max_age_days`,
 * `cleanup_max_unaccessed_days`, `cleanup_keep_last`), or only `repo`'s: expired artifacts and
 * versions beyond the newest N are deleted (their blobs go with the next GC passes), or with
 * `dryRun` only listed. `signal` stops between artifacts.
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
  const versions: RemovedVersion[] = [];
  let removedVersions = 0;
  const now = deps.now();
  for await (const { record: repo } of deps.records.repositories.scan()) {
    if (options.repo !== undefined && repo.name !== options.repo) continue;
    const hook = deps.versions(repo.format);
    const keepReason = keepLastSkipReason(repo, hook);
    if (keepReason === null && hook !== undefined && repo.cleanup_keep_last !== undefined) {
      repositories++;
      for await (const pkg of hook.list(repo)) {
        for (const v of versionsBeyondKeepLast(pkg, repo.cleanup_keep_last)) {
          if (options.signal?.aborted) throw options.signal.reason;
          if (!options.dryRun) {
            try {
              await hook.remove(repo, pkg.package, v.version);
            } catch (err) {
              const why = err instanceof Error ? err.message : String(err);
              skipped.push({ repo: repo.name, reason: `${pkg.package} ${v.version}: ${why}` });
              continue;
            }
          }
          removedVersions++;
          if (versions.length < 1000) versions.push({ repo: repo.name, package: pkg.package, ...v });
          options.onProgress?.(expired + removedVersions);
        }
      }
    } else if (keepReason !== null && keepReason !== 'no policy') skipped.push({ repo: repo.name, reason: keepReason });
    const reason = cleanupSkipReason(repo, deps.format(repo.format));
    if (reason !== null) {
      if (reason !== 'no policy') skipped.push({ repo: repo.name, reason });
      continue;
    }
    if (keepReason !== null) repositories++;
    for await (const artifact of expiredArtifacts(deps.records, repo, now)) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!options.dryRun && !(await deps.deleteArtifact(repo.name, artifact.path))) continue;
      expired++;
      bytes += artifact.size;
      if (artifacts.length < 1000) {
        const { path, size, created_at, last_accessed_at } = artifact;
        artifacts.push({ repo: repo.name, path, size, created_at, last_accessed_at });
      }
      options.onProgress?.(expired + removedVersions);
    }
  }
  return {
    dry_run: options.dryRun,
    repositories,
    expired,
    expired_bytes: bytes,
    artifacts,
    removed_versions: removedVersions,
    versions,
    skipped,
  };
}
