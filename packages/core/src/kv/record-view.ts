import { DepotError } from '../errors/depot-error.js';
import type { KvStore } from './kv-store.js';

/** A typed record plus the version the KV store holds it at. */
export interface VersionedRecord<T> {
  readonly record: T;
  readonly version: string;
}

/** A page of typed records. */
export interface RecordPage<T> {
  readonly items: readonly { readonly id: string; readonly record: T; readonly version: string }[];
  readonly cursor: string | null;
}

/** Options for {@link recordView}. */
export interface RecordViewOptions {
  /** Key namespace, e.g. `repo/`. Every id is stored under `prefix + id`. */
  readonly prefix: string;
  /** Written into every record; a record from a newer schema is refused with `DATA_INTEGRITY_ERROR`. */
  readonly schemaVersion: number;
}

/**
 * A typed view of one record kind on a {@link KvStore}: JSON encoding with a schema-version envelope
 * (`{"v":N,"d":…}`) and key namespacing, done once here so stores stay byte-oriented.
 */
export interface RecordView<T> {
  readonly prefix: string;
  get(id: string): Promise<T | null>;
  getVersioned(id: string): Promise<VersionedRecord<T> | null>;
  put(id: string, record: T): Promise<string>;
  /** Compare-and-swap; `expected === null` means create-if-absent. A lost race is `CONFLICT`. */
  putIfVersion(id: string, record: T, expected: string | null): Promise<string>;
  delete(id: string): Promise<boolean>;
  deleteIfVersion(id: string, expected: string): Promise<void>;
  /** Ids are returned without the view's prefix; `prefix` here is relative to it. */
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<RecordPage<T>>;
  /** Every record under `prefix`, page by page. */
  scan(options?: { prefix?: string; pageSize?: number }): AsyncIterable<{ id: string; record: T }>;
  encode(record: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Creates a {@link RecordView}. */
export function recordView<T>(kv: KvStore, options: RecordViewOptions): RecordView<T> {
  const { prefix, schemaVersion } = options;
  const encode = (record: T): Uint8Array => encoder.encode(JSON.stringify({ v: schemaVersion, d: record }));
  const decode = (bytes: Uint8Array): T => {
    let envelope: { v?: unknown; d?: unknown };
    try {
      envelope = JSON.parse(decoder.decode(bytes)) as { v?: unknown; d?: unknown };
    } catch (cause) {
      throw new DepotError('DATA_INTEGRITY_ERROR', `unreadable record under ${prefix}`, { cause });
    }
    if (typeof envelope.v !== 'number' || envelope.v > schemaVersion) {
      throw new DepotError(
        'DATA_INTEGRITY_ERROR',
        `record under ${prefix} has unsupported schema ${String(envelope.v)}`,
      );
    }
    return envelope.d as T;
  };
  const view: RecordView<T> = {
    prefix,
    encode,
    decode,
    async get(id) {
      const bytes = await kv.get(prefix + id);
      return bytes === null ? null : decode(bytes);
    },
    async getVersioned(id) {
      const found = await kv.getVersioned(prefix + id);
      return found === null ? null : { record: decode(found.value), version: found.version };
    },
    put: (id, record) => kv.put(prefix + id, encode(record)),
    putIfVersion: (id, record, expected) => kv.putIfVersion(prefix + id, encode(record), expected),
    delete: (id) => kv.delete(prefix + id),
    deleteIfVersion: (id, expected) => kv.deleteIfVersion(prefix + id, expected),
    async list(opts = {}) {
      const page = await kv.list({
        prefix: prefix + (opts.prefix ?? ''),
        ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      });
      return {
        items: page.entries.map((e) => ({
          id: e.key.slice(prefix.length),
          record: decode(e.value),
          version: e.version,
        })),
        cursor: page.cursor,
      };
    },
    async *scan(opts = {}) {
      let cursor: string | undefined;
      do {
        const page = await view.list({
          ...(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
          limit: opts.pageSize ?? 1000,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const item of page.items) yield { id: item.id, record: item.record };
        cursor = page.cursor ?? undefined;
      } while (cursor !== undefined);
    },
  };
  return view;
}
