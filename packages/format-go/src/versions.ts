import { type RepositoryEngine, type RepositoryRecord, readBounded } from '@depot/core';
import { parseGoMod, type Retraction } from './go-mod.js';
import { decodeCase } from './module-path.js';
import { filePath } from './paths.js';
import { compareVersions, isPseudoVersion, parseVersion, sortVersions } from './version.js';

/** Largest `list` or `.info` document read from a member or an upstream. */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/**
 * Every version a hosted repository holds of a module (pseudo-versions included), ascending. A
 * version counts once its `.info` is stored, which an upload writes last.
 */
export async function hostedVersions(engine: RepositoryEngine, repo: string, encoded: string): Promise<string[]> {
  const prefix = `${encoded}/@v/`;
  const found: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await engine.list(repo, { prefix, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const a of page.artifacts) {
      const rest = a.path.slice(prefix.length);
      if (!rest.endsWith('.info') || rest.includes('/')) continue;
      const version = decodeCase(rest.slice(0, -'.info'.length));
      if (version !== null) found.push(version);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return sortVersions(found);
}

/** The `list` body: versions one a line, pseudo-versions left out (as the protocol asks). */
export const renderList = (versions: readonly string[]): string => {
  const listed = sortVersions(versions).filter((v) => !isPseudoVersion(v));
  return listed.length === 0 ? '' : `${listed.join('\n')}\n`;
};

const retracts = (r: readonly Retraction[], version: string): boolean => {
  const v = parseVersion(version);
  if (v === null) return false;
  return r.some((x) => {
    const lo = parseVersion(x.low);
    const hi = parseVersion(x.high);
    return lo !== null && hi !== null && compareVersions(lo, v) <= 0 && compareVersions(v, hi) <= 0;
  });
};

/** The retractions declared by the go.mod of the highest version (as the go command reads them). */
export async function retractions(
  engine: RepositoryEngine,
  repo: RepositoryRecord,
  encoded: string,
  versions: readonly string[],
  signal?: AbortSignal,
): Promise<readonly Retraction[]> {
  const highest = versions.at(-1);
  if (highest === undefined) return [];
  const read = await engine.get(repo.name, filePath(encoded, encodeVersion(highest), 'mod'), {
    ...(signal === undefined ? {} : { signal }),
  });
  if (read === null || read.body === null) return [];
  const text = new TextDecoder().decode(await readBounded(read.body, MAX_METADATA_BYTES));
  return parseGoMod(text).retract;
}

const encodeVersion = (v: string): string => v.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/**
 * Go's `@latest`: the highest release that is not retracted, else the highest pre-release, else the
 * highest pseudo-version; `null` when there is no version.
 */
export function pickLatest(versions: readonly string[], retracted: readonly Retraction[]): string | null {
  const sorted = sortVersions(versions);
  const usable = sorted.filter((v) => !retracts(retracted, v));
  const pool = usable.length > 0 ? usable : sorted;
  const release = pool.filter((v) => parseVersion(v)?.pre.length === 0);
  if (release.length > 0) return release.at(-1) as string;
  const pre = pool.filter((v) => !isPseudoVersion(v));
  if (pre.length > 0) return pre.at(-1) as string;
  return pool.at(-1) ?? null;
}
