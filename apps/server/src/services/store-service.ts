import { badRequest, DepotError, type HealthResult, notFound, type StoreRecord } from '@depot/core';
import type { ServerRecords } from '../records/server-records.js';
import type { StoreRegistry } from '../runtime/store-registry.js';
import { MASK } from './repo-fields.js';
import type { CreateStoreInput } from './schemas.js';

/** Option keys holding secrets: masked on output, the mask keeps the old value on input. */
const SECRET_KEYS = ['secret_key', 'password', 'secret_access_key', 'session_token'];

/** Blob store CRUD: every write is instantiated and health-checked before it is saved. */
export interface StoreService {
  create(input: CreateStoreInput): Promise<StoreRecord>;
  update(name: string, patch: Readonly<Record<string, unknown>>): Promise<StoreRecord>;
  get(name: string): Promise<StoreRecord>;
  list(): Promise<StoreRecord[]>;
  delete(name: string): Promise<void>;
  check(name: string): Promise<HealthResult>;
}

/** Renders a store record for the API: `{name, store_type, …options, created_at, updated_at}`. */
export function toStoreResponse(store: StoreRecord): Record<string, unknown> {
  const options = Object.fromEntries(
    Object.entries(store.options).map(([k, v]) => [k, SECRET_KEYS.includes(k) && typeof v === 'string' ? MASK : v]),
  );
  return {
    name: store.name,
    store_type: store.store_type,
    ...options,
    created_at: store.created_at,
    updated_at: store.updated_at,
  };
}

/** Creates the store service. */
export function createStoreService(records: ServerRecords, registry: StoreRegistry): StoreService {
  const probe = async (record: Pick<StoreRecord, 'store_type' | 'options'>): Promise<void> => {
    let store: Awaited<ReturnType<StoreRegistry['instantiate']>>;
    try {
      store = await registry.instantiate(record);
    } catch (err) {
      // Any failure to build the store from these options is the request's fault (400), not ours.
      if (err instanceof DepotError && err.code === 'BAD_REQUEST') throw err;
      throw badRequest(`store could not be opened: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      let health: HealthResult;
      try {
        health = await store.healthCheck();
      } catch (err) {
        health = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      if (!health.ok) throw badRequest(`store health check failed: ${health.error ?? 'unknown error'}`);
    } finally {
      await store.close?.();
    }
  };

  const get = async (name: string): Promise<StoreRecord> => {
    const record = await records.stores.get(name);
    if (record === null) throw notFound(`store "${name}" not found`);
    return record;
  };

  return {
    async create(input) {
      const { name, store_type, ...options } = input;
      if ((await records.stores.get(name)) !== null) throw new DepotError('CONFLICT', `store "${name}" already exists`);
      for (const key of SECRET_KEYS) if (options[key] === MASK) throw badRequest(`${key}: the mask is not a secret`);
      await probe({ store_type, options });
      const now = new Date().toISOString();
      const record: StoreRecord = { name, store_type, options, created_at: now, updated_at: now };
      try {
        await records.stores.putIfVersion(name, record, null);
      } catch (err) {
        if (err instanceof DepotError && err.code === 'CONFLICT')
          throw new DepotError('CONFLICT', `store "${name}" already exists`);
        throw err;
      }
      return record;
    },
    async update(name, patch) {
      const found = await records.stores.getVersioned(name);
      if (found === null) throw notFound(`store "${name}" not found`);
      // `created_at`/`updated_at` are the server's: a body taken from GET carries them unchanged.
      const { name: newName, store_type, created_at: _created, updated_at: _updated, ...changes } = patch;
      if (newName !== undefined && newName !== name) throw badRequest('name: cannot be changed');
      if (store_type !== undefined && store_type !== found.record.store_type)
        throw badRequest('store_type: cannot be changed');
      const options: Record<string, unknown> = { ...found.record.options };
      for (const [k, v] of Object.entries(changes)) {
        if (SECRET_KEYS.includes(k) && v === MASK) continue;
        if (v === null) delete options[k];
        else options[k] = v;
      }
      await probe({ store_type: found.record.store_type, options });
      const record: StoreRecord = { ...found.record, options, updated_at: new Date().toISOString() };
      await records.stores.putIfVersion(name, record, found.version);
      await registry.invalidate(name);
      return record;
    },
    get,
    async list() {
      const out: StoreRecord[] = [];
      for await (const { record } of records.stores.scan()) out.push(record);
      return out;
    },
    async delete(name) {
      await get(name);
      for await (const { record } of records.repositories.scan()) {
        if (record.store === name)
          throw new DepotError('CONFLICT', `store "${name}" is used by repository "${record.name}"`);
      }
      await records.stores.delete(name);
      await registry.invalidate(name);
    },
    async check(name) {
      const store = await registry.get(name);
      try {
        return await store.healthCheck();
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
