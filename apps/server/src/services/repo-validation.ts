import { badRequest, type DepotRecords, type Format, MAX_PROXY_DEPTH, type RepositoryRecord } from '@depot/core';
import { parseRedirectHost } from './upstream-validation.js';

/** Flat request fields that are format-specific and live in `format_options`. */
export const FORMAT_OPTION_KEYS = [
  'listen',
  'cleanup_untagged_manifests',
  'content_disposition',
  'repodata_depth',
] as const;

/** The sentinel secrets are masked with, on output and (to keep the old value) on input. */
export const MASK = '********';

/** Looks a format up by name; unknown → `BAD_REQUEST` listing the installed formats. */
export function requireFormat(formats: ReadonlyMap<string, Format>, name: string): Format {
  const format = formats.get(name);
  if (format === undefined) {
    throw badRequest(`unknown format "${name}"; installed formats: ${[...formats.keys()].sort().join(', ')}`, {
      field: 'format',
    });
  }
  return format;
}

/** Runs the format's own validation of `format_options`; a format without one takes none. */
export function validateFormatOptions(
  format: Format,
  options: Readonly<Record<string, unknown>>,
  repo: Pick<RepositoryRecord, 'name' | 'repo_type'>,
): Readonly<Record<string, unknown>> {
  if (format.validateRepositoryOptions) return format.validateRepositoryOptions(options, repo);
  const [first] = Object.keys(options);
  if (first !== undefined) throw badRequest(`${first}: not an option of format "${format.name}"`, { field: first });
  return {};
}

/**
 * Checks the rules that tie a repository to the rest of the configuration: the store exists, the
 * type's required fields are present, proxy members exist, share the format and form no cycle
 * deeper than {@link MAX_PROXY_DEPTH}.
 */
export async function validateRepoRelations(
  records: DepotRecords,
  format: Format,
  repo: RepositoryRecord,
): Promise<void> {
  if (!format.capabilities.repoTypes.includes(repo.repo_type)) {
    throw badRequest(`format "${format.name}" does not support ${repo.repo_type} repositories`, { field: 'repo_type' });
  }
  if ((await records.stores.get(repo.store)) === null) {
    throw badRequest(`store "${repo.store}" does not exist`, { field: 'store' });
  }
  if (repo.repo_type === 'cache' && repo.upstream_url === undefined) {
    throw badRequest('upstream_url: required for cache repositories', { field: 'upstream_url' });
  }
  if (repo.repo_type !== 'cache') {
    for (const key of ['upstream_url', 'upstream_auth', 'upstream_redirect_hosts', 'cache_ttl_secs'] as const) {
      if (repo[key] !== undefined) throw badRequest(`${key}: only cache repositories take it`, { field: key });
    }
  }
  for (const entry of repo.upstream_redirect_hosts ?? []) {
    if (parseRedirectHost(entry) === null) {
      throw badRequest(`upstream_redirect_hosts: "${entry}" is not a host name, host:port or *.domain`, {
        field: 'upstream_redirect_hosts',
      });
    }
  }
  if (repo.repo_type !== 'proxy') {
    for (const key of ['members', 'write_member'] as const) {
      if (repo[key] !== undefined) throw badRequest(`${key}: only proxy repositories take it`, { field: key });
    }
    return;
  }
  const members = repo.members ?? [];
  if (members.length === 0) throw badRequest('members: a proxy needs at least one member', { field: 'members' });
  if (new Set(members).size !== members.length) throw badRequest('members: duplicate member', { field: 'members' });
  if (repo.write_member !== undefined && !members.includes(repo.write_member)) {
    throw badRequest(`write_member: "${repo.write_member}" is not one of members`, { field: 'write_member' });
  }
  for (const member of members) {
    const found = member === repo.name ? repo : await records.repositories.get(member);
    if (found === null || found.deleting)
      throw badRequest(`members: repository "${member}" does not exist`, { field: 'members' });
    if (found.format !== repo.format) {
      throw badRequest(`members: "${member}" is a ${found.format} repository, not ${repo.format}`, {
        field: 'members',
      });
    }
  }
  await checkProxyDepth(records, repo);
}

async function checkProxyDepth(records: DepotRecords, root: RepositoryRecord): Promise<void> {
  const load = async (name: string): Promise<RepositoryRecord | null> =>
    name === root.name ? root : records.repositories.get(name);
  const walk = async (repo: RepositoryRecord, path: readonly string[]): Promise<void> => {
    if (path.length > MAX_PROXY_DEPTH) {
      throw badRequest(`members: proxy nesting deeper than ${MAX_PROXY_DEPTH} (${path.join(' → ')})`, {
        field: 'members',
      });
    }
    for (const member of repo.members ?? []) {
      if (path.includes(member)) {
        throw badRequest(`members: proxy cycle ${[...path, member].join(' → ')}`, { field: 'members' });
      }
      const next = await load(member);
      if (next?.repo_type === 'proxy') await walk(next, [...path, member]);
    }
  };
  await walk(root, [root.name]);
}
