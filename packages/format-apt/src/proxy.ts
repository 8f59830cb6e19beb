import { gunzipSync, gzipSync } from 'node:zlib';
import { type ByteSource, type RepositoryRecord, readBounded } from '@depot/core';
import { inflateXz } from './deb.js';
import type { AptEnv } from './env.js';
import { type BuiltDist, mergePackages, releaseList, signedDist } from './metadata.js';

/** Largest member index read for a merge. */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;
/** How long a merged distribution is reused before members are asked again. */
const PROXY_TTL_MS = 30_000;

/** What one member offers of a distribution. */
interface MemberDist {
  readonly components: readonly string[];
  readonly architectures: readonly string[];
  packages(component: string, arch: string): Promise<string>;
}

/** The `SHA256:` section of a Release: path → hex digest. */
function sha256Entries(release: string): Map<string, string> {
  const out = new Map<string, string>();
  const at = release.search(/^SHA256:/m);
  if (at < 0) return out;
  // Line ends may be CRLF (a clear-signed InRelease as some signers write it).
  for (const line of release.slice(at).split(/\r?\n/).slice(1)) {
    const m = /^ ([0-9a-f]{64})\s+\d+\s+(\S+)$/.exec(line);
    if (m === null) break;
    out.set(m[2] as string, m[1] as string);
  }
  return out;
}

const text = async (body: ByteSource | null): Promise<Uint8Array> =>
  body === null ? new Uint8Array() : readBounded(body, MAX_INDEX_BYTES);

async function cacheMember(
  env: AptEnv,
  member: RepositoryRecord,
  dist: string,
  signal?: AbortSignal,
): Promise<MemberDist | null> {
  const get = (path: string) =>
    env.engine.get(member.name, `dists/${dist}/${path}`, signal === undefined ? {} : { signal });
  // InRelease first (what apt fetches, so what a cache already holds when its upstream is down);
  // the fields read here sit in its signed text as they are.
  const release = (await get('InRelease').catch(() => null)) ?? (await get('Release'));
  if (release === null) return null;
  const releaseText = new TextDecoder().decode(await text(release.body));
  const hashes = sha256Entries(releaseText);
  return {
    components: releaseList(releaseText, 'Components'),
    architectures: releaseList(releaseText, 'Architectures'),
    async packages(component, arch) {
      const dir = `${component}/binary-${arch}`;
      for (const [suffix, decode] of [
        ['.gz', (b: Uint8Array) => gunzipSync(b, { maxOutputLength: MAX_INDEX_BYTES })],
        ['.xz', inflateXz],
        ['', (b: Uint8Array) => b],
      ] as const) {
        // By hash first (what apt fetches from a by-hash mirror, so what the cache holds), then by name.
        const sha = hashes.get(`${dir}/Packages${suffix}`);
        const read =
          (sha === undefined ? null : await get(`${dir}/by-hash/SHA256/${sha}`).catch(() => null)) ??
          (await get(`${dir}/Packages${suffix}`).catch(() => null));
        if (read !== null) return new TextDecoder().decode(await decode(await text(read.body)));
      }
      return '';
    },
  };
}

function hostedMember(found: BuiltDist): MemberDist {
  const release = new TextDecoder().decode(found.files.get('Release') ?? new Uint8Array());
  return {
    components: releaseList(release, 'Components'),
    architectures: releaseList(release, 'Architectures'),
    packages: async (component, arch) =>
      new TextDecoder().decode(found.files.get(`${component}/binary-${arch}/Packages`) ?? new Uint8Array()),
  };
}

/**
 * The indexes of `dist` in proxy `repo`, merged from the members the caller may read (hosted and
 * cache, in order; the first member listing a package version for an architecture wins), under a
 * `Release` signed with the proxy's own key. Reused for 30 s.
 */
export async function proxyDist(
  env: AptEnv,
  repo: RepositoryRecord,
  dist: string,
  hosted: (member: RepositoryRecord) => Promise<BuiltDist | null>,
  signal?: AbortSignal,
): Promise<BuiltDist | null> {
  const members = (await env.engine.resolveMembers(repo.name)).filter((m) => m.repo_type !== 'proxy');
  const key = `proxy\u0000${repo.name}\u0000${dist}\u0000${members.map((m) => m.name).join('\u0001')}`;
  const held = env.proxied.get(key);
  if (held !== undefined && held.until > env.ctx.now()) return held.dist;
  const views: MemberDist[] = [];
  for (const member of members) {
    try {
      const view =
        member.repo_type === 'hosted'
          ? await hosted(member).then((b) => (b === null ? null : hostedMember(b)))
          : await cacheMember(env, member, dist, signal);
      if (view !== null) views.push(view);
    } catch (err) {
      // A member whose upstream is down (and holds nothing) must not hide the others.
      env.ctx.logger.warn({ repo: repo.name, member: member.name, err: String(err) }, 'apt proxy member failed');
    }
  }
  if (views.length === 0) return null;
  const components = [...new Set(views.flatMap((v) => v.components))].sort();
  const architectures = [...new Set(views.flatMap((v) => v.architectures).filter((a) => a !== 'all'))].sort();
  const files = new Map<string, Uint8Array>();
  for (const component of components) {
    for (const arch of architectures) {
      const merged = Buffer.from(mergePackages(await Promise.all(views.map((v) => v.packages(component, arch)))));
      files.set(`${component}/binary-${arch}/Packages`, merged);
      files.set(`${component}/binary-${arch}/Packages.gz`, gzipSync(merged, { level: 9 }));
    }
  }
  const dist_ = await signedDist(files, {
    repo: repo.name,
    dist,
    components,
    architectures,
    now: env.ctx.now(),
    key: await env.keys.key(repo.name),
  });
  if (env.proxied.size >= 256) env.proxied.clear();
  env.proxied.set(key, { dist: dist_, until: env.ctx.now() + PROXY_TTL_MS });
  return dist_;
}
