import type { Format, PackageVersion, PackageVersions, PackageVersionsHook } from '../format/format.js';
import type { ArtifactRecord, DepotRecords, RepositoryRecord } from '../kv/records.js';

const DAY_MS = 86_400_000;

/** Why a repository's cleanup policies are not applied, or `null` when they are. */
export function cleanupSkipReason(
  repo: RepositoryRecord,
  format: Pick<Format, 'capabilities'> | undefined,
): string | null {
  if (repo.cleanup_max_age_days === undefined && repo.cleanup_max_unaccessed_days === undefined) return 'no policy';
  if (repo.repo_type === 'proxy') return 'a proxy holds nothing of its own';
  if (repo.deleting === true) return 'being deleted';
  if (repo.repo_type === 'hosted' && format?.capabilities.expiresHostedArtifacts !== true) {
    return `format ${repo.format} keeps metadata of its own about hosted artifacts; expiring them is not supported`;
  }
  return null;
}

/**
 * The artifacts of `repo` its cleanup policies expire at `now`: created more than
 * `cleanup_max_age_days` ago, or not downloaded for `cleanup_max_unaccessed_days` (the access time
 * reads keep up to date). Bookkeeping (`internal`) artifacts are never expired. The caller decides
 * whether the repository's policies apply ({@link cleanupSkipReason}).
 */
export async function* expiredArtifacts(
  records: DepotRecords,
  repo: RepositoryRecord,
  now: number,
): AsyncIterable<ArtifactRecord> {
  const maxAge = repo.cleanup_max_age_days;
  const maxIdle = repo.cleanup_max_unaccessed_days;
  for await (const { record } of records.artifacts.scan({ prefix: `${repo.name}/` })) {
    if (record.internal === true) continue;
    const created = Date.parse(record.created_at);
    const accessed = Date.parse(record.last_accessed_at);
    const old = maxAge !== undefined && Number.isFinite(created) && now - created > maxAge * DAY_MS;
    const idle = maxIdle !== undefined && Number.isFinite(accessed) && now - accessed > maxIdle * DAY_MS;
    if (old || idle) yield record;
  }
}

/**
 * The versions of `pkg` that `cleanup_keep_last = keep` removes: all but the `keep` most recently
 * published (ties broken by the version string, so the choice is stable).
 */
export function versionsBeyondKeepLast(pkg: PackageVersions, keep: number): PackageVersion[] {
  const at = (v: PackageVersion): number => {
    const t = Date.parse(v.published_at);
    return Number.isFinite(t) ? t : 0;
  };
  const newestFirst = [...pkg.versions].sort(
    (a, b) => at(b) - at(a) || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0),
  );
  return newestFirst.slice(keep);
}

/** Why `cleanup_keep_last` is not applied to `repo`, or `null` when it is. */
export function keepLastSkipReason(repo: RepositoryRecord, hook: PackageVersionsHook | undefined): string | null {
  if (repo.cleanup_keep_last === undefined) return 'no policy';
  if (repo.deleting === true) return 'being deleted';
  if (repo.repo_type !== 'hosted') return 'cleanup_keep_last applies to hosted repositories';
  if (hook === undefined) return `format ${repo.format} does not list package versions for cleanup_keep_last`;
  return null;
}
