import {
  type ByteSource,
  type CachePolicy,
  cooldownOf,
  DepotError,
  type IntegrityReporter,
  notFound,
  type RepositoryEngine,
  type RepositoryRecord,
  readBounded,
  redirectHostListed,
} from '@depot/core';
import { JSON_V1 } from './render.js';
import type { PageFile, ProjectPage } from './types.js';
import { parseHtmlPage, parseIndex, parseJsonPage } from './upstream-page.js';

/** Internal path of an upstream project page copy (names never start with `_`). */
const PAGE_DIR = '_pypi/simple/';
/** Internal path of the upstream project list copy. */
const INDEX_PATH = '_pypi/index';
/** Where upstream files are kept: `files/{project}/{scheme}/{host}/{upstream path}`. */
export const FILES_DIR = 'files/';
/** Largest upstream page parsed. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
/** Largest upstream project list parsed (PyPI's own is about 30 MB as HTML). */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;
const ACCEPT = `${JSON_V1}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1`;

/** The internal path of the cached page of `project`. */
export const cachedPagePath = (project: string): string => `${PAGE_DIR}${project}`;

const upstreamBase = (repo: RepositoryRecord): string => (repo.upstream_url ?? '').replace(/\/+$/, '');

/** The Depot path (under a cache repository) of an upstream file URL, and its page URL. */
export function localFilePath(project: string, url: URL): string {
  const segments = url.pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return `${FILES_DIR}${project}/${url.protocol.slice(0, -1)}/${url.host}/${segments.join('/')}`;
}

/** The upstream URL a `files/…` path stands for, when its host is the upstream's or a listed one. */
function upstreamFileUrl(repo: RepositoryRecord, path: string): string {
  const [, , scheme, host, ...rest] = path.split('/');
  if ((scheme !== 'http' && scheme !== 'https') || host === undefined || rest.length === 0) {
    throw notFound(`no such file: ${path}`);
  }
  const url = new URL(`${scheme}://${host}/${rest.map(encodeURIComponent).join('/')}`);
  const own = new URL(upstreamBase(repo));
  if (url.origin !== own.origin && !redirectHostListed(url, repo.upstream_redirect_hosts ?? [])) {
    throw notFound(`file host ${url.host} is neither the upstream nor listed in upstream_redirect_hosts`);
  }
  return url.href;
}

const isPage = (path: string): boolean => path.startsWith(PAGE_DIR) || path === INDEX_PATH;

/**
 * How cache repositories treat an upstream PEP 503/691 index: project pages and the project list
 * are mutable internal copies (revalidated per `cache_ttl_secs`, served stale when the upstream is
 * down); files and their `.metadata` are immutable.
 */
export const PYPI_CACHE_POLICY: CachePolicy = {
  isImmutable: (path) => path.startsWith(FILES_DIR),
  isInternal: isPage,
  upstreamUrl(repo, path) {
    if (path === INDEX_PATH) return `${upstreamBase(repo)}/`;
    if (path.startsWith(PAGE_DIR)) return `${upstreamBase(repo)}/${encodeURIComponent(path.slice(PAGE_DIR.length))}/`;
    if (path.startsWith(FILES_DIR)) return upstreamFileUrl(repo, path);
    throw notFound(`no such path in a PyPI cache: ${path}`);
  },
  validateResponse(path, status, headers) {
    if (status !== 200) return;
    const type = headers.get('content-type') ?? '';
    if (isPage(path) && !type.includes('html') && !type.includes('json')) {
      throw new DepotError('UPSTREAM_ERROR', 'upstream answered a simple page that is neither HTML nor JSON');
    }
    if (path.startsWith(FILES_DIR) && type.includes('text/html')) {
      throw new DepotError('UPSTREAM_ERROR', 'upstream answered a distribution file with HTML');
    }
  },
  algorithms: ['sha256'],
  async fetchUpstream(request) {
    // Credentials reach the upstream index only, never a file host it links to (the engine's rule).
    if (!isPage(request.path)) return request.fetch(request.url, request.init);
    const headers = new Headers(request.init.headers);
    headers.set('accept', ACCEPT);
    return request.fetch(request.url, { ...request.init, headers });
  },
};

async function readText(body: ByteSource | null, limit: number): Promise<string> {
  if (body === null) return '';
  return new TextDecoder().decode(await readBounded(body, limit));
}

/** Rewrites an upstream file to point at this repository's copy (relative to `simple/{project}/`). */
function rewrite(project: string, file: PageFile): PageFile {
  const local = localFilePath(project, new URL(file.url));
  return { ...file, url: `../../${local.split('/').map(encodeURIComponent).join('/')}` };
}

/** The sha256 of every file of `project` this cache holds, by Depot path (only what was downloaded). */
async function heldDigests(engine: RepositoryEngine, repo: string, project: string): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await engine.list(repo, {
      prefix: `${FILES_DIR}${project}/`,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const a of page.artifacts) if (a.hashes.sha256 !== undefined) held.set(a.path, a.hashes.sha256);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return held;
}

/**
 * The project page of `project` in a cache repository (fetched or revalidated), rewritten to Depot.
 * A file already held whose upstream sha256 has since changed is announced with the held (first
 * verified) digest, so installers keep working, and the change is reported to `integrity`.
 */
export async function cachedPage(
  engine: RepositoryEngine,
  repo: RepositoryRecord,
  project: string,
  integrity: IntegrityReporter,
  now: number,
  signal?: AbortSignal,
): Promise<ProjectPage | null> {
  const read = await engine.get(repo.name, cachedPagePath(project), signal === undefined ? {} : { signal });
  if (read === null) return null;
  const text = await readText(read.body, MAX_PAGE_BYTES);
  const pageUrl = `${upstreamBase(repo)}/${encodeURIComponent(project)}/`;
  const page = read.record.content_type.includes('json')
    ? parseJsonPage(text, pageUrl, project)
    : parseHtmlPage(text, pageUrl, project);
  const held = await heldDigests(engine, repo.name, project);
  const files = page.files.map((f) => {
    const local = localFilePath(project, new URL(f.url));
    const kept = held.get(local);
    const announced = f.hashes.sha256?.toLowerCase();
    const file = rewrite(project, f);
    if (kept === undefined || announced === undefined || kept === announced) return file;
    integrity.report({
      repo: repo.name,
      subject: f.filename,
      pinned: { sha256: kept },
      upstream: { sha256: announced },
    });
    return { ...file, hashes: { sha256: kept } };
  });
  const cooldown = cooldownOf(repo, now);
  if (cooldown === null) return { name: page.name, files };
  // Files uploaded after the cutoff (PEP 700 `upload-time`, JSON pages only) stay out of sight.
  const hidden = new Map<string, string>();
  const visible = files.filter((f) => {
    if (!cooldown.hides(project, f.upload_time)) return true;
    hidden.set(f.url, cooldown.until(f.upload_time ?? 0));
    return false;
  });
  const out: ProjectPage = { name: page.name, files: visible };
  if (hidden.size > 0) cooling.set(out, hidden);
  return out;
}

/** Files of a cache page hidden by the repository's cooldown: page URL → when the cooldown ends. */
const cooling = new WeakMap<ProjectPage, ReadonlyMap<string, string>>();

/** When the file at page URL `url` of a page {@link cachedPage} returned comes out of cooldown, if it is hidden. */
export const coolingUntil = (page: ProjectPage, url: string): string | undefined => cooling.get(page)?.get(url);

/** The project names a cache repository's upstream lists. */
export async function cachedIndex(
  engine: RepositoryEngine,
  repo: RepositoryRecord,
  signal?: AbortSignal,
): Promise<string[]> {
  const read = await engine.get(repo.name, INDEX_PATH, signal === undefined ? {} : { signal });
  if (read === null) return [];
  return parseIndex(await readText(read.body, MAX_INDEX_BYTES), read.record.content_type.includes('json'));
}
