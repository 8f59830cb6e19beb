/**
 * The backup archive: a tar stream, read and written front to back, never seeked.
 *
 *   depot-backup.json          what this is (format, version, when, which depot)
 *   kv/000000.jsonl …          every metadata entry, `{"k": key, "v": base64 value}` per line
 *   blob/{store}/{blob id}     the bytes of every blob those entries name (names URI-encoded)
 *   end.json                   counts; its absence means the archive was cut short
 *
 * Metadata comes first so the blobs copied are exactly the ones that snapshot references (GC is
 * held off meanwhile, so none of them can go). Blob ids are assigned by each store, so a restore
 * stores the bytes anew and rewrites the ids in blob and artifact records.
 */

export const MANIFEST_NAME = 'depot-backup.json';
export const END_NAME = 'end.json';
export const KV_DIR = 'kv/';
export const BLOB_DIR = 'blob/';
export const ARCHIVE_FORMAT = 'depot-backup';
export const ARCHIVE_VERSION = 1;

/** A KV chunk entry is cut once its lines reach this many bytes. */
export const KV_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Keys that describe this instance's work in flight, not content: leases, tasks, GC candidates
 * and state (their blob ids mean nothing to another store), the GC hold and restore marker.
 */
export const EXCLUDED_PREFIXES = [
  'lease/',
  'task/',
  'gc/',
  'meta/gc',
  'meta/gc-lease',
  'meta/gc-hold',
  'meta/restore',
] as const;

export const isExcluded = (key: string): boolean =>
  EXCLUDED_PREFIXES.some((p) => (p.endsWith('/') ? key.startsWith(p) : key === p));

/** `depot-backup.json`. */
export interface ArchiveManifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly version: number;
  readonly created_at: string;
  readonly depot_version: string;
  /** The KV store type the archive was taken from (informational: any type restores it). */
  readonly kv_store: string;
}

/** `end.json`. */
export interface ArchiveEnd {
  readonly kv_entries: number;
  readonly blobs: number;
  readonly blob_bytes: number;
  /** Blobs a record named that were not in their store when the backup copied them. */
  readonly missing_blobs: readonly string[];
}

export const blobEntryName = (store: string, blobId: string): string =>
  `${BLOB_DIR}${encodeURIComponent(store)}/${encodeURIComponent(blobId)}`;

/** `{store, blobId}` of a blob entry name, or `null` for anything else. */
export function parseBlobEntryName(name: string): { store: string; blobId: string } | null {
  if (!name.startsWith(BLOB_DIR)) return null;
  const parts = name.slice(BLOB_DIR.length).split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  try {
    return { store: decodeURIComponent(parts[0] as string), blobId: decodeURIComponent(parts[1] as string) };
  } catch {
    return null;
  }
}

/** `meta/restore`: present while a restore writes; a server refuses to start on it. */
export const RESTORE_MARKER_ID = 'restore';
