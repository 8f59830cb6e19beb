import { isDepotError, type KvStore, type RecordView, recordView } from '@depot/core';
import type { PackageEntry } from './repodata.js';

/** A repository's generation: bumped on every change, so built repodata is cached per generation. */
export interface GenerationRecord {
  readonly generation: number;
  readonly updated_at: string;
}

export const PKG_PREFIX = 'pkg/';
export const GEN_PREFIX = 'gen/';

/** Package and generation records in the format's KV namespace. */
export interface YumStore {
  /** `{repo}/{path}`: what the repodata says about the RPM at `path`, read once at upload. */
  readonly packages: RecordView<PackageEntry>;
  readonly generations: RecordView<GenerationRecord>;
}

export const yumStore = (kv: KvStore): YumStore => ({
  packages: recordView<PackageEntry>(kv, { prefix: PKG_PREFIX, schemaVersion: 1 }),
  generations: recordView<GenerationRecord>(kv, { prefix: GEN_PREFIX, schemaVersion: 1 }),
});

/**
 * Every package of `repo` under `group` (a path prefix; `''` for the whole repository), with its
 * `path` made relative to the group, as the group's repodata lists it.
 */
export async function groupPackages(store: YumStore, repo: string, group: string): Promise<PackageEntry[]> {
  const under = group === '' ? '' : `${group}/`;
  const out: PackageEntry[] = [];
  for await (const { record } of store.packages.scan({ prefix: `${repo}/${under}` })) {
    out.push({ ...record, path: record.path.slice(under.length) });
  }
  return out;
}

/** The id of a group's generation record. */
export const generationId = (repo: string, group: string): string =>
  group === '' ? `${repo}/current` : `${repo}/${group}/current`;

/** Bumps the generation of `group` in `repo` (compare-and-swap, retried). */
export async function bumpGeneration(store: YumStore, repo: string, group: string, now: number): Promise<void> {
  const id = generationId(repo, group);
  for (let attempt = 0; attempt < 16; attempt++) {
    const current = await store.generations.getVersioned(id);
    const next: GenerationRecord = {
      generation: (current?.record.generation ?? 0) + 1,
      updated_at: new Date(now).toISOString(),
    };
    try {
      await store.generations.putIfVersion(id, next, current?.version ?? null);
      return;
    } catch (err) {
      if (!isDepotError(err, 'CONFLICT')) throw err;
    }
  }
}

/** Bumps every repodata root of `repo` that has a generation (the root `''` at least). */
export async function bumpAllGenerations(store: YumStore, repo: string, now: number): Promise<void> {
  const groups = new Set<string>(['']);
  for await (const { id } of store.generations.scan({ prefix: `${repo}/` })) {
    const rest = id.slice(repo.length + 1);
    groups.add(rest === 'current' ? '' : rest.slice(0, -'/current'.length));
  }
  for (const group of groups) await bumpGeneration(store, repo, group, now);
}
