import {
  type ArtifactRecord,
  artifactId,
  depotRecords,
  type Format,
  memoryKvStore,
  type PackageVersionsHook,
  type RepositoryRecord,
} from '@depot/core';
import { describe, expect, it } from 'vitest';
import { runCleanupPass } from './cleanup-policies.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();

const repo = (name: string, extra: Partial<RepositoryRecord>): RepositoryRecord => ({
  name,
  repo_type: 'hosted',
  format: 'raw',
  store: 'default',
  created_at: at(400),
  updated_at: at(400),
  ...extra,
});

const artifact = (
  repoName: string,
  path: string,
  createdDaysAgo: number,
  accessedDaysAgo: number,
  internal = false,
): ArtifactRecord => ({
  repo: repoName,
  path,
  store: 'default',
  blob_id: `blob-${path}`,
  size: 10,
  content_type: 'application/octet-stream',
  hashes: { blake3: 'x' },
  created_at: at(createdDaysAgo),
  updated_at: at(createdDaysAgo),
  last_accessed_at: at(accessedDaysAgo),
  ...(internal ? { internal: true } : {}),
});

const FORMATS: Record<string, Pick<Format, 'capabilities'>> = {
  raw: { capabilities: { repoTypes: ['hosted', 'cache', 'proxy'], expiresHostedArtifacts: true } },
  npm: { capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] } },
};

async function setup() {
  const records = depotRecords(memoryKvStore());
  const deleted: string[] = [];
  for (const r of [
    repo('aged', { cleanup_max_age_days: 30 }),
    repo('idle', { cleanup_max_unaccessed_days: 7 }),
    repo('npm-hosted', { format: 'npm', cleanup_max_age_days: 1 }),
    repo('npm-cache', {
      format: 'npm',
      repo_type: 'cache',
      upstream_url: 'https://x.invalid/',
      cleanup_max_unaccessed_days: 7,
    }),
    repo('none', {}),
  ])
    await records.repositories.put(r.name, r);
  for (const a of [
    artifact('aged', 'old.bin', 40, 0),
    artifact('aged', 'young.bin', 10, 10),
    artifact('aged', 'index', 400, 400, true),
    artifact('idle', 'cold.bin', 2, 8),
    artifact('idle', 'warm.bin', 400, 1),
    artifact('npm-hosted', 'pkg/-/pkg-1.0.0.tgz', 400, 400),
    artifact('npm-cache', 'pkg/-/pkg-1.0.0.tgz', 30, 30),
    artifact('none', 'forever.bin', 4000, 4000),
  ])
    await records.artifacts.put(artifactId(a.repo, a.path), a);
  const deps = {
    records,
    format: (name: string) => FORMATS[name] as Format | undefined,
    deleteArtifact: async (r: string, p: string) => {
      deleted.push(`${r}/${p}`);
      return records.artifacts.delete(artifactId(r, p));
    },
    versions: () => undefined,
    now: () => NOW,
  };
  return { deps, deleted, records };
}

describe('cleanup policies', () => {
  it('expire by age since upload and by days since the last download; never internal files; hosted only where the format allows', async () => {
    const { deps, deleted } = await setup();
    const result = await runCleanupPass(deps, { dryRun: false });
    expect(deleted.sort()).toEqual(['aged/old.bin', 'idle/cold.bin', 'npm-cache/pkg/-/pkg-1.0.0.tgz']);
    expect(result).toMatchObject({ dry_run: false, repositories: 3, expired: 3, expired_bytes: 30 });
    expect(result.skipped).toEqual([{ repo: 'npm-hosted', reason: expect.stringContaining('npm') }]);
  });

  it('a dry run lists the same artifacts and deletes nothing; one repository can be named', async () => {
    const { deps, deleted } = await setup();
    const dry = await runCleanupPass(deps, { dryRun: true });
    expect(dry.artifacts.map((a) => `${a.repo}/${a.path}`).sort()).toEqual([
      'aged/old.bin',
      'idle/cold.bin',
      'npm-cache/pkg/-/pkg-1.0.0.tgz',
    ]);
    expect(deleted).toEqual([]);
    const one = await runCleanupPass(deps, { dryRun: true, repo: 'idle' });
    expect(one.artifacts.map((a) => a.path)).toEqual(['cold.bin']);
  });

  it('cleanup_keep_last keeps the newest N versions of each package, by publish time, through the format hook', async () => {
    const { deps, records } = await setup();
    const removed: string[] = [];
    const hook: PackageVersionsHook = {
      async *list() {
        yield {
          package: 'a',
          versions: [
            { version: '1.0.0', published_at: at(30) },
            { version: '1.10.0', published_at: at(1) },
            { version: '1.2.0', published_at: at(20) },
            { version: '1.9.0', published_at: at(2) },
          ],
        };
        yield { package: 'b', versions: [{ version: '0.1.0', published_at: at(99) }] };
        yield {
          package: 'locked',
          versions: [
            { version: 'v1', published_at: at(9) },
            { version: 'v2', published_at: at(8) },
            { version: 'v3', published_at: at(7) },
          ],
        };
      },
      async remove(_repo, pkg, version) {
        if (pkg === 'locked' && version === 'v1') throw new Error('tag v1 is immutable');
        removed.push(`${pkg}@${version}`);
      },
    };
    await records.repositories.put('kept', repo('kept', { format: 'npm', cleanup_keep_last: 2 }));
    await records.repositories.put(
      'cached',
      repo('cached', { format: 'npm', repo_type: 'cache', cleanup_keep_last: 2 }),
    );
    const withHook = { ...deps, versions: (f: string) => (f === 'npm' ? hook : undefined) };
    const dry = await runCleanupPass(withHook, { dryRun: true, repo: 'kept' });
    expect(dry.versions.map((v) => `${v.package}@${v.version}`)).toEqual(['a@1.2.0', 'a@1.0.0', 'locked@v1']);
    expect(removed).toEqual([]);
    const real = await runCleanupPass(withHook, { dryRun: false });
    expect(removed).toEqual(['a@1.2.0', 'a@1.0.0']);
    expect(real.removed_versions).toBe(2);
    expect(real.skipped).toEqual(
      expect.arrayContaining([
        { repo: 'kept', reason: 'locked v1: tag v1 is immutable' },
        { repo: 'cached', reason: 'cleanup_keep_last applies to hosted repositories' },
      ]),
    );
    // A format without the hook is named, not silently skipped.
    await records.repositories.put('rawkeep', repo('rawkeep', { format: 'raw', cleanup_keep_last: 1 }));
    const raw = await runCleanupPass(withHook, { dryRun: true, repo: 'rawkeep' });
    expect(raw.skipped).toEqual([
      { repo: 'rawkeep', reason: expect.stringContaining('does not list package versions') },
    ]);
  });
});
