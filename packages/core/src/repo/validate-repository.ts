import { badRequest } from '../errors/depot-error.js';
import type { Format } from '../format/format.js';
import type { RepositoryRecord } from '../kv/records.js';
import { parseRedirectHost } from '../net/redirect-host.js';
import { MAX_PROXY_DEPTH } from './engine.js';
import { checkRepositoryShape } from './repository-shape.js';

/** What {@link validateRepository} looks the rest of the configuration up in. */
export interface RepositoryValidationContext {
  /** The installed formats, by name. */
  readonly formats: ReadonlyMap<string, Format>;
  /** Whether a blob store of this name exists. */
  storeExists(name: string): Promise<boolean>;
  /** The stored repository of this name (one being deleted counts as absent), or `null`. */
  repository(name: string): Promise<RepositoryRecord | null>;
}

/** Looks a format up by name; unknown → `BAD_REQUEST` listing the installed formats. */
function requireFormat(formats: ReadonlyMap<string, Format>, name: string): Format {
  const format = formats.get(name);
  if (format === undefined) {
    throw badRequest(`unknown format "${name}"; installed formats: ${[...formats.keys()].sort().join(', ')}`, {
      field: 'format',
    });
  }
  return format;
}

/** Runs the format's own validation of `format_options`; a format without one takes none. */
function validateFormatOptions(
  format: Format,
  options: Readonly<Record<string, unknown>>,
  repo: Pick<RepositoryRecord, 'name' | 'repo_type'>,
): Readonly<Record<string, unknown>> {
  if (format.validateRepositoryOptions) return format.validateRepositoryOptions(options, repo);
  const [first] = Object.keys(options);
  if (first !== undefined) throw badRequest(`${first}: not an option of format "${format.name}"`, { field: first });
  return {};
}

const stripUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * Validates a repository about to be created or updated and returns the record to store: its
 * fields ({@link checkRepositoryShape}), a known format supporting the type, options the format
 * accepts (as the format normalizes them), an existing store, the type's required and forbidden
 * fields, and for proxies members that exist, share the format and nest no deeper than
 * {@link MAX_PROXY_DEPTH} without a cycle. Every problem is a `BAD_REQUEST` with `details.field`.
 */
export async function validateRepository(
  ctx: RepositoryValidationContext,
  repo: RepositoryRecord,
): Promise<RepositoryRecord> {
  checkRepositoryShape(repo);
  const format = requireFormat(ctx.formats, repo.format);
  const options = validateFormatOptions(format, repo.format_options ?? {}, repo);
  const full = stripUndefined({ ...repo, format_options: Object.keys(options).length === 0 ? undefined : options });
  await validateRelations(ctx, format, full);
  return full;
}

/** The rules that tie a repository to the rest of the configuration. */
async function validateRelations(ctx: RepositoryValidationContext, format: Format, repo: RepositoryRecord) {
  if (!format.capabilities.repoTypes.includes(repo.repo_type)) {
    throw badRequest(`format "${format.name}" does not support ${repo.repo_type} repositories`, { field: 'repo_type' });
  }
  if (!(await ctx.storeExists(repo.store))) {
    throw badRequest(`store "${repo.store}" does not exist`, { field: 'store' });
  }
  if (repo.repo_type === 'cache' && repo.upstream_url === undefined) {
    throw badRequest('upstream_url: required for cache repositories', { field: 'upstream_url' });
  }
  if (repo.repo_type !== 'cache') {
    const cacheOnly = [
      'upstream_url',
      'upstream_auth',
      'upstream_redirect_hosts',
      'cache_ttl_secs',
      'negative_cache_ttl_secs',
      'content_ttl_secs',
      'offline',
      'cooldown_secs',
      'cooldown_allow',
    ] as const;
    for (const key of cacheOnly) {
      if (repo[key] !== undefined) throw badRequest(`${key}: only cache repositories take it`, { field: key });
    }
  }
  if (repo.repo_type === 'cache' && repo.write_policy !== undefined && repo.write_policy !== 'read_only') {
    throw badRequest(
      'write_policy: a cache repository is filled from its upstream only; it takes read_only or nothing',
      {
        field: 'write_policy',
      },
    );
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
  await validateMembers(ctx, repo);
}

async function validateMembers(ctx: RepositoryValidationContext, repo: RepositoryRecord): Promise<void> {
  const members = repo.members ?? [];
  if (members.length === 0) throw badRequest('members: a proxy needs at least one member', { field: 'members' });
  if (new Set(members).size !== members.length) throw badRequest('members: duplicate member', { field: 'members' });
  if (repo.write_member !== undefined && !members.includes(repo.write_member)) {
    throw badRequest(`write_member: "${repo.write_member}" is not one of members`, { field: 'write_member' });
  }
  const load = async (name: string): Promise<RepositoryRecord | null> => {
    if (name === repo.name) return repo;
    const found = await ctx.repository(name);
    return found === null || found.deleting ? null : found;
  };
  for (const member of members) {
    const found = await load(member);
    if (found === null) throw badRequest(`members: repository "${member}" does not exist`, { field: 'members' });
    if (found.format !== repo.format) {
      throw badRequest(`members: "${member}" is a ${found.format} repository, not ${repo.format}`, {
        field: 'members',
      });
    }
  }
  const walk = async (at: RepositoryRecord, path: readonly string[]): Promise<void> => {
    if (path.length > MAX_PROXY_DEPTH) {
      throw badRequest(`members: proxy nesting deeper than ${MAX_PROXY_DEPTH} (${path.join(' → ')})`, {
        field: 'members',
      });
    }
    for (const member of at.members ?? []) {
      if (path.includes(member)) {
        throw badRequest(`members: proxy cycle ${[...path, member].join(' → ')}`, { field: 'members' });
      }
      const next = await load(member);
      if (next?.repo_type === 'proxy') await walk(next, [...path, member]);
    }
  };
  await walk(repo, [repo.name]);
}
