import type { FormatWorker, RepositoryRecord } from '@depot/core';
import type { DockerDeps } from '../deps.js';
import { deleteByDigest } from '../routes/manifests.js';
import type { ManifestMeta } from './hosted.js';

/** How often untagged manifests are looked for. */
export const UNTAGGED_INTERVAL_MS = 3_600_000;
/** An untagged manifest younger than this is kept: a push writes the manifest before its tag. */
export const UNTAGGED_MIN_AGE_MS = 86_400_000;

const MANIFEST = /^(.+)\/_manifests\/([^/]+)$/;
const TAG = /^(.+)\/_tags\/[^/]+$/;

interface Held {
  readonly image: string;
  readonly digest: string;
  readonly created: number;
  readonly children: readonly string[];
  readonly subject?: string;
}

/**
 * The manifests of hosted `repo` no tag keeps, directly or through what it keeps: a tagged index's
 * children, and referrers (signatures, SBOMs) of a kept manifest. Only those older than `minAgeMs`.
 */
export async function untaggedManifests(
  deps: DockerDeps,
  repo: string,
  now: number,
  minAgeMs = UNTAGGED_MIN_AGE_MS,
): Promise<Held[]> {
  const manifests = new Map<string, Held>();
  const kept = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await deps.ctx.engine.list(repo, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const a of page.artifacts) {
      const m = MANIFEST.exec(a.path);
      if (m !== null) {
        const meta = (a.meta ?? {}) as Partial<ManifestMeta>;
        const [, image = '', digest = ''] = m;
        manifests.set(`${image}@${digest}`, {
          image,
          digest,
          created: Date.parse(a.created_at),
          children: meta.manifests ?? [],
          ...(meta.subject === undefined ? {} : { subject: meta.subject }),
        });
        continue;
      }
      const t = TAG.exec(a.path);
      const digest = a.meta?.digest;
      if (t !== null && typeof digest === 'string') kept.add(`${t[1]}@${digest}`);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  // What a kept manifest keeps, until nothing more is added.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [key, held] of manifests) {
      const keptHere = kept.has(key);
      if (keptHere) {
        for (const child of held.children) {
          const childKey = `${held.image}@${child}`;
          if (!kept.has(childKey)) {
            kept.add(childKey);
            grew = true;
          }
        }
      } else if (held.subject !== undefined && kept.has(`${held.image}@${held.subject}`)) {
        kept.add(key);
        grew = true;
      }
    }
  }
  return [...manifests.entries()]
    .filter(([key, held]) => !kept.has(key) && Number.isFinite(held.created) && now - held.created > minAgeMs)
    .map(([, held]) => held);
}

/**
 * The worker that deletes untagged manifests (older than a day) of hosted repositories with
 * `cleanup_untagged_manifests`; their blobs follow with blob GC once nothing references them.
 */
export function untaggedCleaner(deps: DockerDeps): FormatWorker {
  const wanted = (repo: RepositoryRecord) =>
    repo.format === 'docker' && repo.repo_type === 'hosted' && repo.format_options?.cleanup_untagged_manifests === true;
  return {
    name: 'docker-untagged-manifests',
    intervalMs: UNTAGGED_INTERVAL_MS,
    async run(signal) {
      for await (const repo of deps.ctx.repositories.list()) {
        if (signal.aborted) return;
        if (!wanted(repo)) continue;
        let removed = 0;
        for (const held of await untaggedManifests(deps, repo.name, deps.now())) {
          if (signal.aborted) return;
          if (await deleteByDigest(deps, repo, held.image, held.digest)) removed++;
        }
        if (removed > 0) deps.ctx.logger.info({ repo: repo.name, removed }, 'untagged manifests removed');
      }
    },
  };
}
