import { badRequest, DepotError, notFound } from '../errors/depot-error.js';
import type { DepotRecords, RepositoryRecord } from '../kv/records.js';
import { type RepositoryValidationContext, validateRepository } from './validate-repository.js';

/** A repository as a caller creates it: the record without its timestamps and delete mark. */
export type RepositoryInput = Omit<RepositoryRecord, 'created_at' | 'updated_at' | 'deleting'>;

/**
 * A change to a repository: each field given replaces the stored one, `null` clears it, absent
 * fields stay. `name`, `repo_type`, `format` and `store` may be given only unchanged.
 */
export type RepositoryPatch = { readonly [K in keyof RepositoryInput]?: RepositoryInput[K] | null };

/** Validated repository configuration over the KV records (see {@link repositoryAdmin}). */
export interface RepositoryAdmin {
  /** A live repository; `NOT_FOUND` when absent or being deleted. */
  get(name: string): Promise<RepositoryRecord>;
  /** Every live repository, by name. */
  list(): Promise<RepositoryRecord[]>;
  /** Validates and stores a new repository; `CONFLICT` when the name is taken. */
  create(input: RepositoryInput): Promise<RepositoryRecord>;
  /**
   * Applies `change` (a patch, or a function from the stored record to the new one), validates the
   * result like `create` and stores it with compare-and-swap (`CONFLICT` on a concurrent update).
   */
  update(
    name: string,
    change: RepositoryPatch | ((current: RepositoryRecord) => RepositoryRecord),
  ): Promise<RepositoryRecord>;
  /**
   * Marks a repository `deleting` (it reads as absent from then on) and returns the marked record;
   * `CONFLICT` while a proxy lists it as a member. Its contents are removed by {@link drainRepository}.
   */
  markDeleting(name: string): Promise<RepositoryRecord>;
}

const IDENTITY = ['name', 'repo_type', 'format', 'store'] as const;

function applyPatch(current: RepositoryRecord, patch: RepositoryPatch): RepositoryRecord {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as unknown as RepositoryRecord;
}

/**
 * Repository create / update / delete-mark with {@link validateRepository} on every write. The
 * server's admin API and `createDepot` both go through it. `validation.repository` defaults to the
 * records' own repositories.
 */
export function repositoryAdmin(
  records: DepotRecords,
  validation: Omit<RepositoryValidationContext, 'repository'> & Partial<RepositoryValidationContext>,
): RepositoryAdmin {
  const ctx: RepositoryValidationContext = {
    formats: validation.formats,
    storeExists: (name) => validation.storeExists(name),
    repository: validation.repository ?? ((name) => records.repositories.get(name)),
  };
  const getLive = async (name: string): Promise<{ record: RepositoryRecord; version: string }> => {
    const found = typeof name === 'string' ? await records.repositories.getVersioned(name) : null;
    if (found === null || found.record.deleting) throw notFound(`repository "${name}" not found`);
    return found;
  };
  return {
    get: async (name) => (await getLive(name)).record,
    async list() {
      const out: RepositoryRecord[] = [];
      for await (const { record } of records.repositories.scan()) if (!record.deleting) out.push(record);
      return out;
    },
    async create(input) {
      const now = new Date().toISOString();
      const { deleting: _deleting, ...fields } = input as RepositoryInput & { deleting?: unknown };
      const repo = await validateRepository(ctx, { ...fields, created_at: now, updated_at: now });
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
    async update(name, change) {
      const { record: old, version } = await getLive(name);
      const changed = typeof change === 'function' ? change(old) : applyPatch(old, change);
      for (const key of IDENTITY) {
        if (changed[key] !== old[key]) throw badRequest(`${key}: cannot be changed`, { field: key });
      }
      const { deleting: _deleting, ...fields } = changed;
      const repo = await validateRepository(ctx, {
        ...fields,
        created_at: old.created_at,
        updated_at: new Date().toISOString(),
      });
      await records.repositories.putIfVersion(name, repo, version);
      return repo;
    },
    async markDeleting(name) {
      const { record, version } = await getLive(name);
      for await (const { record: other } of records.repositories.scan()) {
        if (!other.deleting && other.members?.includes(name)) {
          throw new DepotError('CONFLICT', `repository "${name}" is a member of proxy "${other.name}"`);
        }
      }
      const marked: RepositoryRecord = { ...record, deleting: true, updated_at: new Date().toISOString() };
      await records.repositories.putIfVersion(name, marked, version);
      return marked;
    },
  };
}
