import { type AddressPolicy, badRequest, type Format, type RepositoryRecord, repositoryAdmin } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import { FORMAT_OPTION_KEYS, MASK } from './repo-fields.js';
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
 * says which non-public `upstream_url` hosts are accepted (the server passes its settings). The
 * request shaping (flat format options, masked secrets, `null` clears, credentials in the URL) is
 * the server's; every rule about the resulting record is core's `validateRepository`.
 */
export function createRepoService(
  records: ServerRecords,
  formats: ReadonlyMap<string, Format>,
  upstreamAddresses: () => AddressPolicy = () => ALLOW_ALL,
): RepoService {
  const admin = repositoryAdmin(records, {
    formats,
    storeExists: async (name) => (await records.stores.get(name)) !== null,
  });
  /** The record fields of a request body: everything but the flat format options. */
  const recordFields = (input: UpdateRepoInput) => {
    const {
      listen: _l,
      cleanup_untagged_manifests: _c,
      content_disposition: _d,
      repodata_depth: _r,
      format_options: _f,
      ...fields
    } = input;
    return fields;
  };

  return {
    async create(body) {
      const input = moveUrlCredentials(body);
      checkUpstreamAddress(input.upstream_url, upstreamAddresses());
      if (input.upstream_auth?.password === MASK)
        throw badRequest('upstream_auth.password: the mask is not a password');
      const fields = recordFields(input) as Omit<CreateRepoInput, 'format_options'>;
      return admin.create(stripUndefined({ ...fields, format_options: collectFormatOptions(input, undefined) }));
    },
    async update(name, body) {
      const input = moveUrlCredentials(body);
      checkUpstreamAddress(input.upstream_url, upstreamAddresses());
      return admin.update(name, (old) => {
        const { upstream_auth: auth, ...rest } = recordFields(input);
        let upstreamAuth = auth === null ? undefined : (auth ?? old.upstream_auth);
        if (auth?.password === MASK) upstreamAuth = { ...auth, password: old.upstream_auth?.password };
        const merged: Record<string, unknown> = {
          ...old,
          ...stripUndefined(rest),
          upstream_auth: upstreamAuth === undefined ? undefined : stripUndefined(upstreamAuth),
          format_options: collectFormatOptions(input, old.format_options),
        };
        // `null` clears a field (CLEARABLE_REPO_FIELDS); the schema allows it nowhere else.
        for (const key of CLEARABLE_REPO_FIELDS) if (merged[key] === null) merged[key] = undefined;
        return merged as unknown as RepositoryRecord;
      });
    },
    get: (name) => admin.get(name),
    list: () => admin.list(),
    async softDelete(name) {
      await admin.markDeleting(name);
    },
  };
}
