import {
  type CachePolicy,
  cooldownOf,
  DepotError,
  type ExpectedContent,
  type IntegrityReporter,
  type RepositoryEngine,
  type RepositoryRecord,
  readBounded,
} from '@depot/core';
import type { IndexEntry } from './records.js';

/** Largest upstream index file or config.json read. */
const MAX_INDEX_BYTES = 32 * 1024 * 1024;

/** The upstream `dl` of each cache repository, learnt from its `config.json`. */
export type DlTemplates = Map<string, string>;

const trim = (url: string): string => url.replace(/\/+$/, '');

/**
 * The download URL for `name` `version` from an upstream's `dl`: its markers (`{crate}`,
 * `{version}`, `{prefix}`, `{lowerprefix}`, `{sha256-checksum}`) filled in, or
 * `{dl}/{crate}/{version}/download` when it has none, as cargo does.
 */
export function expandDl(dl: string, name: string, version: string, cksum: string | undefined): string {
  const markers = /\{(crate|version|prefix|lowerprefix|sha256-checksum)\}/;
  if (!markers.test(dl)) return `${trim(dl)}/${name}/${version}/download`;
  const prefix =
    name.length <= 2
      ? String(name.length)
      : name.length === 3
        ? `3/${name[0]}`
        : `${name.slice(0, 2)}/${name.slice(2, 4)}`;
  return dl
    .replaceAll('{crate}', name)
    .replaceAll('{version}', version)
    .replaceAll('{prefix}', prefix)
    .replaceAll('{lowerprefix}', prefix.toLowerCase())
    .replaceAll('{sha256-checksum}', cksum ?? '');
}

const CRATE_PATH = /^crates\/([^/]+)\/([^/]+)\.crate$/;

/**
 * Cache repositories: upstream index files (and `config.json`) are bookkeeping revalidated per
 * TTL; `.crate` files never change and are fetched from the upstream's `dl`, checked against the
 * `cksum` of its index (the caller passes it as the expected SHA-256).
 */
export function cargoCachePolicy(templates: DlTemplates): CachePolicy {
  return {
    isImmutable: (path) => path.startsWith('crates/'),
    isInternal: (path) => path.startsWith('index/'),
    algorithms: ['sha256'],
    upstreamUrl(repo, path) {
      if (repo.upstream_url === undefined)
        throw new DepotError('BAD_REQUEST', `cache repository ${repo.name} has no upstream_url`);
      if (path.startsWith('index/')) return `${trim(repo.upstream_url)}/${path.slice('index/'.length)}`;
      const m = CRATE_PATH.exec(path);
      const dl = templates.get(repo.name);
      if (m === null || dl === undefined) throw new DepotError('NOT_FOUND', `no upstream download for ${path}`);
      const [, name, file] = m as unknown as [string, string, string];
      return expandDl(dl, name, file.slice(name.length + 1), undefined);
    },
    validateResponse(path, status, headers) {
      if (status === 200 && path.startsWith('crates/') && (headers.get('content-type') ?? '').includes('text/html')) {
        throw new DepotError('UPSTREAM_ERROR', 'upstream answered a crate download with HTML');
      }
    },
  };
}

/** A small document of cache `repo` (an index file, `config.json`), fetched or revalidated per TTL; `null` when upstream has none. */
async function cachedDocument(
  engine: RepositoryEngine,
  repo: string,
  path: string,
  signal?: AbortSignal,
): Promise<Uint8Array | null> {
  const read = await engine.get(repo, path, signal === undefined ? {} : { signal });
  if (read === null) return null;
  if (read.body === null) return new Uint8Array();
  return readBounded(read.body, MAX_INDEX_BYTES);
}

/** The upstream's `dl` of cache `repo`, read from its `config.json` (and remembered for fills). */
export async function upstreamDl(
  engine: RepositoryEngine,
  templates: DlTemplates,
  repo: string,
  signal?: AbortSignal,
): Promise<string> {
  const body = await cachedDocument(engine, repo, 'index/config.json', signal);
  let dl: unknown;
  try {
    dl = body === null ? undefined : (JSON.parse(new TextDecoder().decode(body)) as { dl?: unknown }).dl;
  } catch {
    dl = undefined;
  }
  if (typeof dl !== 'string' || !/^https?:\/\//.test(dl)) {
    throw new DepotError('UPSTREAM_ERROR', `the upstream registry of ${repo} has no usable config.json dl`);
  }
  templates.set(repo, dl);
  return dl;
}

/** The SHA-256 of every `.crate` of `name` this cache holds, by version (only what was downloaded). */
async function heldCrates(engine: RepositoryEngine, repo: string, name: string): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  const dir = `crates/${name.toLowerCase()}/`;
  let cursor: string | undefined;
  do {
    const page = await engine.list(repo, { prefix: dir, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const a of page.artifacts) {
      const file = a.path.slice(dir.length);
      const version = file.slice(name.length + 1, -'.crate'.length);
      if (a.hashes.sha256 !== undefined && file.endsWith('.crate')) held.set(version, a.hashes.sha256);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return held;
}

/**
 * The versions the upstream index of cache `repo` lists for `indexPath`, or `null` when it has no
 * such crate. A version whose `.crate` this cache already holds keeps the held (first verified)
 * `cksum` when the upstream later announces another; the change is reported to `integrity`.
 */
export async function cachedVersions(
  engine: RepositoryEngine,
  repo: RepositoryRecord,
  indexPath: string,
  integrity: IntegrityReporter,
  now: number,
  signal?: AbortSignal,
): Promise<IndexEntry[] | null> {
  const body = await cachedDocument(engine, repo.name, `index/${indexPath}`, signal);
  if (body === null) return null;
  const entries: IndexEntry[] = [];
  for (const line of new TextDecoder().decode(body).split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as IndexEntry);
    } catch {
      throw new DepotError('UPSTREAM_ERROR', `the upstream index file ${indexPath} of ${repo.name} is not JSON lines`);
    }
  }
  const name = entries[0]?.name;
  if (name === undefined) return entries;
  const held = await heldCrates(engine, repo.name, name);
  const checked = entries.map((entry) => {
    const kept = held.get(entry.vers);
    if (kept === undefined || kept === entry.cksum) return entry;
    integrity.report({
      repo: repo.name,
      subject: `${entry.name} ${entry.vers}`,
      pinned: { sha256: kept },
      upstream: { sha256: entry.cksum },
    });
    return { ...entry, cksum: kept };
  });
  return withCooldown(repo, checked, now);
}

/** Versions of a cache index hidden by the repository's cooldown: version → when it ends. */
const cooling = new WeakMap<readonly IndexEntry[], ReadonlyMap<string, string>>();

/** When `version` of entries {@link cachedVersions} returned comes out of cooldown, if it is hidden. */
export const coolingUntil = (entries: readonly IndexEntry[], version: string): string | undefined =>
  cooling.get(entries)?.get(version);

/** `entries` without the versions published (index `pubtime`) after the cooldown's cutoff. */
function withCooldown(repo: RepositoryRecord, entries: IndexEntry[], now: number): IndexEntry[] {
  const cooldown = cooldownOf(repo, now);
  if (cooldown === null) return entries;
  const hidden = new Map<string, string>();
  const visible = entries.filter((e) => {
    const pubtime = (e as { pubtime?: unknown }).pubtime;
    if (typeof pubtime !== 'string' || !cooldown.hides(e.name, pubtime)) return true;
    hidden.set(e.vers, cooldown.until(pubtime));
    return false;
  });
  if (hidden.size > 0) cooling.set(visible, hidden);
  return visible;
}

/** What a cached `.crate` must hash to: the `cksum` its index announced. */
export const crateExpectation = (entry: IndexEntry): ExpectedContent => ({ sha256: entry.cksum });
