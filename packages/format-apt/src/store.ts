import { isDepotError, type KvStore, type RecordView, recordView } from '@depot/core';
import type { ControlFields } from './deb.js';

/** One package version of a distribution/component/architecture, as `Packages` lists it. */
export interface PackageRecord {
  readonly fields: ControlFields;
  readonly component: string;
  readonly architecture: string;
  /** The pool path, relative to the repository root. */
  readonly filename: string;
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  readonly uploaded_at: string;
}

/** A distribution's generation: bumped on every change, so built indexes are cached per generation. */
export interface DistRecord {
  readonly generation: number;
  readonly updated_at: string;
}

export const PKG_PREFIX = 'pkg/';
export const DIST_PREFIX = 'dist/';

/** Package and distribution records in the format's KV namespace. */
export interface AptStore {
  readonly packages: RecordView<PackageRecord>;
  readonly dists: RecordView<DistRecord>;
}

export const aptStore = (kv: KvStore): AptStore => ({
  packages: recordView<PackageRecord>(kv, { prefix: PKG_PREFIX, schemaVersion: 1 }),
  dists: recordView<DistRecord>(kv, { prefix: DIST_PREFIX, schemaVersion: 1 }),
});

/** The id of a package record: `{repo}/{dist}/{component}/{arch}/{package}/{version}`. */
export const packageId = (repo: string, dist: string, component: string, arch: string, name: string, version: string) =>
  `${repo}/${dist}/${component}/${arch}/${name}/${version}`;

/** Every package record of `dist` in `repo`. */
export async function distPackages(store: AptStore, repo: string, dist: string): Promise<PackageRecord[]> {
  const out: PackageRecord[] = [];
  for await (const { record } of store.packages.scan({ prefix: `${repo}/${dist}/` })) out.push(record);
  return out;
}

/** Bumps the generation of `dist` (compare-and-swap, retried). */
export async function bumpDist(store: AptStore, repo: string, dist: string, now: number): Promise<void> {
  const id = `${repo}/${dist}`;
  for (let attempt = 0; attempt < 16; attempt++) {
    const current = await store.dists.getVersioned(id);
    const next: DistRecord = {
      generation: (current?.record.generation ?? 0) + 1,
      updated_at: new Date(now).toISOString(),
    };
    try {
      await store.dists.putIfVersion(id, next, current?.version ?? null);
      return;
    } catch (err) {
      if (!isDepotError(err, 'CONFLICT')) throw err;
    }
  }
}
