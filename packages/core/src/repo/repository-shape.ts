import { REPOSITORY_NAME } from '../dispatch/dispatch.js';
import { badRequest } from '../errors/depot-error.js';
import { type RepositoryRecord, type RepoType, WRITE_POLICIES } from '../kv/records.js';

/** The repository types the engine knows. */
const REPO_TYPES: readonly RepoType[] = ['hosted', 'cache', 'proxy'];

const fieldError = (field: string, problem: string) => badRequest(`${field}: ${problem}`, { field });

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkName(field: string, value: unknown): void {
  if (typeof value !== 'string' || !REPOSITORY_NAME.test(value)) {
    throw fieldError(
      field,
      'must start with a letter or digit and contain only letters, digits, ".", "_", "-" (≤ 128)',
    );
  }
}

function checkInteger(field: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw fieldError(field, `must be an integer ≥ ${min}`);
  }
}

function checkUpstreamUrl(value: unknown): void {
  if (value === undefined) return;
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw fieldError('upstream_url', 'must be an http(s) URL');
  }
}

function checkUpstreamAuth(value: unknown): void {
  if (value === undefined) return;
  if (!isRecord(value) || typeof value.username !== 'string' || value.username === '') {
    throw fieldError('upstream_auth', 'must be { username, password? } with a non-empty username');
  }
  if (value.password !== undefined && typeof value.password !== 'string') {
    throw fieldError('upstream_auth', 'password must be a string');
  }
}

function checkStringList(field: string, value: unknown, each: (field: string, v: unknown) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw fieldError(field, 'must be a list');
  for (const item of value) each(field, item);
}

/**
 * Checks the fields of a repository record one by one (types, name rules, enums, URL and number
 * ranges), for callers that hand records in without a schema of their own (embedders; the
 * server's request schema says the same). The first problem is a `BAD_REQUEST` naming the field.
 */
export function checkRepositoryShape(repo: RepositoryRecord): void {
  if (!isRecord(repo)) throw badRequest('a repository must be an object');
  checkName('name', repo.name);
  if (!REPO_TYPES.includes(repo.repo_type)) {
    throw fieldError('repo_type', `must be one of ${REPO_TYPES.join(', ')}, not ${JSON.stringify(repo.repo_type)}`);
  }
  if (typeof repo.format !== 'string' || repo.format === '') throw fieldError('format', 'must be a format name');
  checkName('store', repo.store);
  checkUpstreamUrl(repo.upstream_url);
  checkUpstreamAuth(repo.upstream_auth);
  checkInteger('cache_ttl_secs', repo.cache_ttl_secs, 0);
  checkInteger('negative_cache_ttl_secs', repo.negative_cache_ttl_secs, 0);
  checkInteger('content_ttl_secs', repo.content_ttl_secs, 0);
  checkInteger('cooldown_secs', repo.cooldown_secs, 0);
  checkStringList('cooldown_allow', repo.cooldown_allow, (field, v) => {
    if (typeof v !== 'string' || v === '' || v.length > 256)
      throw fieldError(field, 'must be a list of names (≤ 256 characters)');
  });
  if (repo.offline !== undefined && typeof repo.offline !== 'boolean') throw fieldError('offline', 'must be a boolean');
  if (repo.write_policy !== undefined && !WRITE_POLICIES.includes(repo.write_policy)) {
    throw fieldError('write_policy', `must be one of ${WRITE_POLICIES.join(', ')}`);
  }
  checkInteger('cleanup_max_age_days', repo.cleanup_max_age_days, 1);
  checkInteger('cleanup_max_unaccessed_days', repo.cleanup_max_unaccessed_days, 1);
  checkInteger('cleanup_keep_last', repo.cleanup_keep_last, 1);
  checkStringList('upstream_redirect_hosts', repo.upstream_redirect_hosts, (field, v) => {
    if (typeof v !== 'string') throw fieldError(field, 'must be a list of host names');
  });
  checkStringList('members', repo.members, checkName);
  if (repo.write_member !== undefined) checkName('write_member', repo.write_member);
  if (repo.format_options !== undefined && !isRecord(repo.format_options)) {
    throw fieldError('format_options', 'must be an object');
  }
}
