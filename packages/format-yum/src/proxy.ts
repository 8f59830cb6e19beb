import { gunzipSync } from 'node:zlib';
import { type ByteSource, type RepositoryRecord, readBounded } from '@depot/core';
import type { YumEnv } from './env.js';
import { assembleRepodata, type Repodata } from './repodata.js';
import { signRepodata } from './sign.js';

/** Largest member metadata file read for a merge (compressed and uncompressed). */
const MAX_METADATA_BYTES = 512 * 1024 * 1024;
/** How long merged repodata is reused before the members are asked again. */
const PROXY_TTL_MS = 30_000;

/** One member's three documents, uncompressed. */
interface MemberDocs {
  readonly primary: string;
  readonly filelists: string;
  readonly other: string;
}

export const read = async (body: ByteSource | null): Promise<Uint8Array> =>
  body === null ? new Uint8Array() : readBounded(body, MAX_METADATA_BYTES);

export const inflate = (bytes: Uint8Array): string =>
  new TextDecoder().decode(
    bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_METADATA_BYTES }) : bytes,
  );

/** `type → href` of the `<data>` entries of a `repomd.xml`. */
export function repomdLocations(repomd: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of repomd.matchAll(/<data\s+type="([^"]+)"[^>]*>([\s\S]*?)<\/data>/g)) {
    const href = /<location\s+href="([^"]+)"/.exec(m[2] as string)?.[1];
    if (href !== undefined) out.set(m[1] as string, href);
  }
  return out;
}

async function memberDocs(
  env: YumEnv,
  member: RepositoryRecord,
  root: string,
  signal?: AbortSignal,
): Promise<MemberDocs | null> {
  const get = (path: string) => env.engine.get(member.name, `${root}${path}`, signal === undefined ? {} : { signal });
  const repomd = await get('repodata/repomd.xml');
  if (repomd === null) return null;
  const locations = repomdLocations(new TextDecoder().decode(await read(repomd.body)));
  const doc = async (type: string): Promise<string> => {
    const href = locations.get(type);
    if (href === undefined) return '';
    const file = await get(href.replace(/^\/+/, ''));
    return file === null ? '' : inflate(await read(file.body));
  };
  return { primary: await doc('primary'), filelists: await doc('filelists'), other: await doc('other') };
}

const PRIMARY_PACKAGE = /<package\s+type="rpm"\s*>[\s\S]*?<\/package>/g;
const PKGID_PACKAGE = /<package\s+pkgid="([^"]+)"[^>]*>[\s\S]*?<\/package>/g;

/** name, arch and EVR of a primary `<package>`: what "the same package" means across members. */
function nevra(block: string): string | null {
  const name = /<name>([^<]*)<\/name>/.exec(block)?.[1];
  const arch = /<arch>([^<]*)<\/arch>/.exec(block)?.[1];
  const version = /<version\s+([^>]*?)\/?>/.exec(block)?.[1] ?? '';
  const attr = (k: string) => new RegExp(`\\b${k}="([^"]*)"`).exec(version)?.[1] ?? '';
  if (name === undefined || arch === undefined) return null;
  return `${name}\u0000${arch}\u0000${attr('epoch') || '0'}\u0000${attr('ver')}\u0000${attr('rel')}`;
}

const pkgidOf = (block: string): string | null =>
  /<checksum[^>]*pkgid="YES"[^>]*>([^<]+)<\/checksum>/.exec(block)?.[1] ?? null;

/**
 * Merges the members' documents: the first member listing a package (by name, arch and EVR)
 * wins, and its filelists and other entries (matched by pkgid) come with it.
 */
export function mergeDocs(members: readonly MemberDocs[], now: number): Repodata {
  const seen = new Set<string>();
  const primary: string[] = [];
  const filelists: string[] = [];
  const other: string[] = [];
  for (const docs of members) {
    const keep = new Set<string>();
    for (const m of docs.primary.matchAll(PRIMARY_PACKAGE)) {
      const block = m[0];
      const key = nevra(block);
      const pkgid = pkgidOf(block);
      if (key === null || pkgid === null || seen.has(key)) continue;
      seen.add(key);
      keep.add(pkgid);
      primary.push(`${block}\n`);
    }
    for (const m of docs.filelists.matchAll(PKGID_PACKAGE)) if (keep.has(m[1] as string)) filelists.push(`${m[0]}\n`);
    for (const m of docs.other.matchAll(PKGID_PACKAGE)) if (keep.has(m[1] as string)) other.push(`${m[0]}\n`);
  }
  return assembleRepodata({ primary, filelists, other }, Math.floor(now / 1000));
}

/**
 * The repodata of `group` (a path prefix, `''` for the root) of proxy `repo`, merged from the members the caller may read (hosted ones from their
 * built repodata, caches through their upstream), reused for 30 s. A member that fails is left out.
 */
export async function proxyRepodata(
  env: YumEnv,
  repo: RepositoryRecord,
  group: string,
  hosted: (member: RepositoryRecord) => Promise<Repodata | null>,
  signal?: AbortSignal,
): Promise<Repodata> {
  const members = (await env.engine.resolveMembers(repo.name)).filter((m) => m.repo_type !== 'proxy');
  const key = `${repo.name}\u0000${group}\u0000${members.map((m) => m.name).join('\u0001')}`;
  const held = env.proxied.get(key);
  if (held !== undefined && held.until > env.ctx.now()) return held.repodata;
  const docs: MemberDocs[] = [];
  for (const member of members) {
    try {
      if (member.repo_type === 'hosted') {
        const built = await hosted(member);
        if (built === null) continue;
        const text = (type: string) => {
          const href = repomdLocations(new TextDecoder().decode(built.get('repomd.xml'))).get(type) ?? '';
          const file = built.get(href.replace(/^repodata\//, ''));
          return file === undefined ? '' : inflate(file);
        };
        docs.push({ primary: text('primary'), filelists: text('filelists'), other: text('other') });
      } else {
        const found = await memberDocs(env, member, group === '' ? '' : `${group}/`, signal);
        if (found !== null) docs.push(found);
      }
    } catch (err) {
      // A member whose upstream is down (and holds nothing) must not hide the others.
      env.ctx.logger.warn({ repo: repo.name, member: member.name, err: String(err) }, 'yum proxy member failed');
    }
  }
  const repodata = await signRepodata(env, repo.name, mergeDocs(docs, env.ctx.now()));
  if (env.proxied.size >= 256) env.proxied.clear();
  env.proxied.set(key, { repodata, until: env.ctx.now() + PROXY_TTL_MS });
  return repodata;
}
