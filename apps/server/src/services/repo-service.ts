import {
  type AddressPolicy,
  badRequest,
  DepotError,
  type DepotRecords,
  type Format,
  notFound,
  type RepositoryRecord,
} from '@depot/core';
import {
  FORMAT_OPTION_KEYS,
  MASK,
  requireFormat,
  validateFormatOptions,
  validateRepoRelations,
} from './repo-validation.js';
import { CLEARABLE_REPO_FIELDS, type CreateRepoInput, type UpdateRepoInput } from './schemas.js';
import { checkUpstreamAddress, moveUrlCredentials } from './upstream-validation.js';

/** A repository as the API returns it: the record, secrets masked, format options also flat. */
export type RepoResponse = Omit<RepositoryRecord, 'deleting'> & Readonly<Record<string, unknown>>;

/** Repository CRUD with every validation rule of api.md. */
export interface RepoService {
  create(input: CreateRepoInput): Promise<RepositoryRecord>;
  update(name: string, input: UpdateRepoInput): Promise<RepositoryRecord>;
  /** A live repository (`NOT_FOUND` when absent or being deleted). */
  get(name: string): Promise<RepositoryRecord>;
  list(): Promise<RepositoryRecord[]>;
  /** Marks the repository `deleting`; the cleanup worker drains it. */
  softDelete(name: string): Promise<void>;
}

/** `upstream_url` without userinfo (records written before credentials were moved out of it). */
function withoutUserinfo(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/**
 * Renders a record for the API. The upstream password is always masked; `upstream_auth` is left
 * out entirely unless `showUpstreamAuth` (administrators), so read-only users see no credentials.
 */
export function toRepoResponse(repo: RepositoryRecord, showUpstreamAuth = false): RepoResponse {
  const { deleting: _deleting, upstream_auth: auth, upstream_url: url, ...rest } = repo;
  const flat: Record<string, unknown> = {};
  for (const key of FORMAT_OPTION_KEYS)
    if (repo.format_options?.[key] !== undefined) flat[key] = repo.format_options[key];
  const upstreamUrl = withoutUserinfo(url);
  return {
    ...rest,
    ...(upstreamUrl === undefined ? {} : { upstream_url: upstreamUrl }),
    ...flat,
    ...(auth === undefined || !showUpstreamAuth
      ? {}
      : { upstream_auth: { ...auth, ...(auth.password === undefined ? {} : { password: MASK }) } }),
  };
}

function collectFormatOptions(
  input: UpdateRepoInput,
  base: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const options: Record<string, unknown> = { ...base, ...input.format_options };
  for (const key of FORMAT_OPTION_KEYS) if (input[key] !== undefined) options[key] = input[key];
  return options;
}

const stripUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Allows any upstream address: for embedders and tests that do not check addresses. */
const ALLOW_ALL: AddressPolicy = { allowPrivate: true, allowLinkLocal: true };

/**
 * Creates the repository service over `records` and the installed formats; `upstreamAddresses`
 * says which non-public `upstream_url` hosts are accepted (the server passes its settings).
 */
export function createRepoService(
  records: DepotRecords,
  formats: ReadonlyMap<string, Format>,
  upstreamAddresses: () => AddressPolicy = () => ALLOW_ALL,
): RepoService {
  const getLive = async (name: string): Promise<{ record: RepositoryRecord; version: string }> => {
    const found = await records.repositories.getVersioned(name);
    if (found === null || found.record.deleting) throw notFound(`repository "${name}" not found`);
    return found;
  };

  const finish = async (
    repo: RepositoryRecord,
    input: UpdateRepoInput,
    base?: RepositoryRecord,
  ): Promise<RepositoryRecord> => {
    const format = requireFormat(formats, repo.format);
    const options = validateFormatOptions(format, collectFormatOptions(input, base?.format_options), repo);
    const full = stripUndefined({ ...repo, format_options: Object.keys(options).length === 0 ? undefined : options });
    await validateRepoRelations(records, format, full);
    return full;
  };

  return {
    async create(body) {
      const input = moveUrlCredentials(body);
      checkUpstreamAddress(input.upstream_url, upstreamAddresses());
      if (input.upstream_auth?.password === MASK)
        throw badRequest('upstream_auth.password: the mask is not a password');
      const now = new Date().toISOString();
      const {
        listen: _l,
        cleanup_untagged_manifests: _c,
        content_disposition: _d,
        repodata_depth: _r,
        format_options: _f,
        ...fields
      } = input;
      const repo = await finish({ ...fields, created_at: now, updated_at: now }, input);
      try {
        await records.repositories.putIfVersion(repo.name, repo, null);
      } catch (err) {
        if (err instanceof DepotError && err.code === 'CONFLICT') {
          throw new DepotError('CONFLICT', `repository "${repo.name}" already exists`);
        }
        throw err;
      }
      return repo;
    },
    async update(name, body) {
      const input = moveUrlCredentials(body);
      checkUpstreamAddress(input.upstream_url, upstreamAddresses());
      const { record: old, version } = await getLive(name);
      for (const key of ['name', 'repo_type', 'format', 'store'] as const) {
        if (input[key] !== undefined && input[key] !== old[key])
          throw badRequest(`${key}: cannot be changed`, { field: key });
      }
      const {
        listen: _l,
        cleanup_untagged_manifests: _c,
        content_disposition: _d,
        repodata_depth: _r,
        format_options: _f,
        ...fields
      } = input;
      const { upstream_auth: auth, ...rest } = fields;
      let upstreamAuth = auth === null ? undefined : (auth ?? old.upstream_auth);
      if (auth?.password === MASK) upstreamAuth = { ...auth, password: old.upstream_auth?.password };
      const merged: Record<string, unknown> = {
        ...old,
        ...stripUndefined(rest),
        upstream_auth: upstreamAuth === undefined ? undefined : stripUndefined(upstreamAuth),
        updated_at: new Date().toISOString(),
      };
      // `null` clears a field (CLEARABLE_REPO_FIELDS); the schema allows it nowhere else.
      for (const key of CLEARABLE_REPO_FIELDS) if (merged[key] === null) merged[key] = undefined;
      const repo = await finish(merged as unknown as RepositoryRecord, input, old);
      await records.repositories.putIfVersion(name, repo, version);
      return repo;
    },
    get: async (name) => (await getLive(name)).record,
    async list() {
      const out: RepositoryRecord[] = [];
      for await (const { record } of records.repositories.scan()) if (!record.deleting) out.push(record);
      return out;
    },
    async softDelete(name) {
      const { record, version } = await getLive(name);
      for await (const { record: other } of records.repositories.scan()) {
        if (!other.deleting && other.members?.includes(name)) {
          throw new DepotError('CONFLICT', `repository "${name}" is a member of proxy "${other.name}"`);
        }
      }
      await records.repositories.putIfVersion(
        name,
        { ...record, deleting: true, updated_at: new Date().toISOString() },
        version,
      );
    },
  };
}
