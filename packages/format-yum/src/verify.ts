import type { ExpectedContent, RepositoryRecord } from '@depot/core';
import type { YumEnv } from './env.js';
import { inflate, read, repomdLocations } from './proxy.js';
import type { Repodata } from './repodata.js';

const MAX_HELD = 16;
const PACKAGE = /<package\s+type="rpm"\s*>[\s\S]*?<\/package>/g;

/** `location href` → size and digest of every package a primary document lists. */
export function listedDigests(primary: string): Map<string, ExpectedContent> {
  const out = new Map<string, ExpectedContent>();
  for (const m of primary.matchAll(PACKAGE)) {
    const block = m[0];
    const href = /<location\b[^>]*\bhref="([^"]+)"/.exec(block)?.[1];
    const checksum = /<checksum\s+type="(sha256|sha512|sha1|sha)"[^>]*>([0-9a-fA-F]+)<\/checksum>/.exec(block);
    const size = /<size\b[^>]*\bpackage="(\d+)"/.exec(block)?.[1];
    if (href === undefined || checksum === null) continue;
    const hex = (checksum[2] as string).toLowerCase();
    const algorithm = checksum[1] === 'sha' ? 'sha1' : (checksum[1] as 'sha256' | 'sha512' | 'sha1');
    out.set(href.replace(/^\/+/, ''), { [algorithm]: hex, ...(size === undefined ? {} : { size: Number(size) }) });
  }
  return out;
}

/**
 * What the mirror's own repodata says the package at `path` must be (size and digest from its
 * primary, found through its current `repomd.xml`), or `undefined` when the primary does not list
 * it (or cannot be read): a cache then stores what it fetched only if it matches.
 */
export async function expectedPackage(
  env: YumEnv,
  repo: RepositoryRecord,
  path: string,
  signal?: AbortSignal,
): Promise<ExpectedContent | undefined> {
  try {
    const opts = signal === undefined ? {} : { signal };
    const repomd = await env.engine.get(repo.name, 'repodata/repomd.xml', opts);
    if (repomd === null) return undefined;
    const href = repomdLocations(new TextDecoder().decode(await read(repomd.body))).get('primary');
    if (href === undefined) return undefined;
    const key = `${repo.name}\u0000${href}`;
    let held = env.listed.get(key);
    if (held === undefined) {
      if (env.listed.size >= MAX_HELD) env.listed.clear();
      held = (async () => {
        const primary = await env.engine.get(repo.name, href.replace(/^\/+/, ''), opts);
        return listedDigests(primary === null ? '' : inflate(await read(primary.body)));
      })();
      env.listed.set(key, held);
      held.catch(() => env.listed.delete(key));
    }
    return (await held).get(path);
  } catch (err) {
    env.ctx.logger.warn(
      { repo: repo.name, path, err: String(err) },
      'yum cache: mirror primary unreadable; package not checked',
    );
    return undefined;
  }
}

const fromRepodata = new WeakMap<Repodata, Map<string, ExpectedContent>>();

/** What `repodata` (merged by a proxy) lists for the package at `path`, parsed once per build. */
export function listedIn(repodata: Repodata, path: string): ExpectedContent | undefined {
  let listed = fromRepodata.get(repodata);
  if (listed === undefined) {
    const href = repomdLocations(new TextDecoder().decode(repodata.get('repomd.xml'))).get('primary') ?? '';
    const primary = repodata.get(href.replace(/^repodata\//, ''));
    listed = listedDigests(primary === undefined ? '' : inflate(primary));
    fromRepodata.set(repodata, listed);
  }
  return listed.get(path);
}
