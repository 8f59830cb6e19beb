import { badRequest } from '../errors/depot-error.js';
import type { KvBatchOp, KvListOptions, KvStore } from './kv-store.js';

/**
 * A view of `kv` confined to the keys under `prefix` (e.g. `fmt/npm/`): every key given to it is
 * taken relative to the prefix, every key it lists comes back without it. No key can name a record
 * outside the prefix (keys are opaque strings, `..` means nothing), so a plugin handed one cannot
 * read or write other records. `close()` does nothing: the shared store belongs to whoever opened it.
 */
export function scopedKv(kv: KvStore, prefix: string): KvStore {
  if (prefix === '' || !prefix.endsWith('/')) throw badRequest(`KV scope "${prefix}" must end with "/"`);
  const key = (k: string): string => prefix + k;
  const op = (o: KvBatchOp): KvBatchOp => ({ ...o, key: key(o.key) });
  return {
    capabilities: kv.capabilities,
    get: (k) => kv.get(key(k)),
    getVersioned: (k) => kv.getVersioned(key(k)),
    put: (k, value) => kv.put(key(k), value),
    putIfVersion: (k, value, expected) => kv.putIfVersion(key(k), value, expected),
    delete: (k) => kv.delete(key(k)),
    deleteIfVersion: (k, expected) => kv.deleteIfVersion(key(k), expected),
    async list(options: KvListOptions = {}) {
      const page = await kv.list({
        ...options,
        prefix: key(options.prefix ?? ''),
        ...(options.start === undefined ? {} : { start: key(options.start) }),
        ...(options.end === undefined ? {} : { end: key(options.end) }),
      });
      return {
        // The store already confines the page to `prefix`; the filter keeps it so whatever a cursor says.
        entries: page.entries
          .filter((e) => e.key.startsWith(prefix))
          .map((e) => ({ ...e, key: e.key.slice(prefix.length) })),
        cursor: page.cursor,
      };
    },
    batch: (ops) => kv.batch(ops.map(op)),
    async close() {},
  };
}
