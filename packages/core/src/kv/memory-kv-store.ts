import { DepotError } from '../errors/depot-error.js';
import { compareUtf8 } from '../util/compare-utf8.js';
import type { KvBatchOp, KvEntry, KvListOptions, KvPage, KvStore } from './kv-store.js';

interface Slot {
  readonly value: Uint8Array;
  readonly version: string;
}

/**
 * An in-memory {@link KvStore} (for tests, and for embedders that keep nothing across restarts): real versions and
 * compare-and-swap, listing in ascending UTF-8 byte order, cursor = the last key returned. Values
 * are copied in and out so callers cannot alias stored bytes.
 */
export function memoryKvStore(): KvStore {
  const data = new Map<string, Slot>();
  let counter = 0;
  let closed = false;
  const check = (): void => {
    if (closed) throw new DepotError('STORAGE_UNAVAILABLE', 'store is closed');
  };
  // Sorted keys, rebuilt lazily after a key is added or removed (listing is the slow operation).
  let sorted: string[] | null = null;
  const write = (key: string, value: Uint8Array): string => {
    const version = String(++counter);
    if (!data.has(key)) sorted = null;
    data.set(key, { value: value.slice(), version });
    return version;
  };
  const remove = (key: string): boolean => {
    const had = data.delete(key);
    if (had) sorted = null;
    return had;
  };
  const sortedKeys = (): string[] => {
    sorted ??= [...data.keys()].sort(compareUtf8);
    return sorted;
  };
  return {
    capabilities: { stronglyConsistentReads: true, singleNode: true },
    async get(key) {
      check();
      return data.get(key)?.value.slice() ?? null;
    },
    async getVersioned(key) {
      check();
      const slot = data.get(key);
      return slot === undefined ? null : { value: slot.value.slice(), version: slot.version };
    },
    async put(key, value) {
      check();
      return write(key, value);
    },
    async putIfVersion(key, value, expected) {
      check();
      const current = data.get(key)?.version ?? null;
      if (current !== expected) throw new DepotError('CONFLICT', 'version mismatch');
      return write(key, value);
    },
    async delete(key) {
      check();
      return remove(key);
    },
    async deleteIfVersion(key, expected) {
      check();
      if (data.get(key)?.version !== expected) throw new DepotError('CONFLICT', 'version mismatch');
      remove(key);
    },
    async list(options: KvListOptions = {}): Promise<KvPage> {
      check();
      const { prefix = '', start, end, cursor } = options;
      const limit = options.limit ?? 1000;
      const keys = sortedKeys().filter(
        (k) =>
          k.startsWith(prefix) &&
          (start === undefined || compareUtf8(k, start) >= 0) &&
          (end === undefined || compareUtf8(k, end) < 0) &&
          (cursor === undefined || compareUtf8(k, cursor) > 0),
      );
      const page = keys.slice(0, limit);
      const entries: KvEntry[] = page.map((key) => {
        const slot = data.get(key) as Slot;
        return { key, value: slot.value.slice(), version: slot.version };
      });
      const last = page[page.length - 1];
      return { entries, cursor: keys.length > limit && last !== undefined ? last : null };
    },
    async batch(ops: readonly KvBatchOp[]) {
      check();
      for (const op of ops) {
        if (op.type === 'put') write(op.key, op.value);
        else remove(op.key);
      }
    },
    async close() {
      closed = true;
    },
  };
}
