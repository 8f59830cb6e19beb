import {
  type FormatRequest,
  type FormatResponse,
  immutableArtifactResponse,
  notAllowed,
  notFound,
  type RepositoryRecord,
  requireRepoAccess,
  upstreamSignal,
} from '@depot/core';
import type { AptEnv } from './env.js';
import { type BuiltDist, buildDist } from './metadata.js';
import { proxyDist } from './proxy.js';
import { distPackages } from './store.js';
import { deleteDeb, uploadDeb } from './upload.js';

const MAX_BUILT = 256;
const DISTS = /^dists\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/(.+)$/;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  'Packages.gz': 'application/gzip',
  'Release.gpg': 'application/pgp-signature',
  InRelease: 'text/plain; charset=utf-8',
  Release: 'text/plain; charset=utf-8',
  Packages: 'text/plain; charset=utf-8',
};

function bytes(req: FormatRequest, body: Uint8Array | string, type: string): FormatResponse {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    status: 200,
    headers: { 'content-type': type, 'content-length': String(buf.byteLength), 'cache-control': 'no-cache' },
    body: req.method === 'HEAD' ? null : buf,
  };
}

/** The built indexes of `dist` in hosted `repo` at its current generation (`null`: no such distribution). */
async function built(env: AptEnv, repo: RepositoryRecord, dist: string): Promise<BuiltDist | null> {
  const state = await env.store.dists.get(`${repo.name}/${dist}`);
  if (state === null) return null;
  const key = `${repo.name}\u0000${dist}\u0000${state.generation}`;
  let held = env.built.get(key);
  if (held === undefined) {
    if (env.built.size >= MAX_BUILT) env.built.clear();
    held = (async () =>
      buildDist(await distPackages(env.store, repo.name, dist), {
        repo: repo.name,
        dist,
        architectures: env.options(repo).architectures,
        now: Date.parse(state.updated_at),
        key: await env.keys.key(repo.name),
      }))();
    env.built.set(key, held);
    held.catch(() => env.built.delete(key));
  }
  return held;
}

/** A by-hash file of an earlier build of `dist` still held (a client read the Release before a change). */
async function earlierByHash(
  env: AptEnv,
  repo: RepositoryRecord,
  dist: string,
  rest: string,
): Promise<Uint8Array | undefined> {
  const prefix = `${repo.name}\u0000${dist}\u0000`;
  for (const [key, held] of env.built) {
    if (!key.startsWith(prefix)) continue;
    const file = (await held.catch(() => null))?.files.get(rest);
    if (file !== undefined) return file;
  }
  return undefined;
}

async function getDistFile(env: AptEnv, req: FormatRequest, dist: string, rest: string): Promise<FormatResponse> {
  const found =
    req.repo.repo_type === 'proxy'
      ? await proxyDist(env, req.repo, dist, (member) => built(env, member, dist), upstreamSignal(req))
      : await built(env, req.repo, dist);
  const file =
    found?.files.get(rest) ?? (rest.includes('/by-hash/') ? await earlierByHash(env, req.repo, dist, rest) : undefined);
  if (file === undefined) throw notFound(`dists/${dist}/${rest} not found`);
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  return bytes(req, file, CONTENT_TYPES[name] ?? 'application/octet-stream');
}

/** Content types of what a cache relays, by file name. */
function relayedType(path: string): string {
  if (path.endsWith('.deb')) return 'application/vnd.debian.binary-package';
  if (path.endsWith('.gz')) return 'application/gzip';
  if (path.endsWith('.xz')) return 'application/x-xz';
  return CONTENT_TYPES[path.slice(path.lastIndexOf('/') + 1)] ?? 'application/octet-stream';
}

/**
 * A cache of a Debian mirror: every file relayed as the upstream has it — `InRelease`, `Release`
 * and `Release.gpg` with the upstream's own signatures, so clients verify them with the upstream's
 * key — revalidated per `cache_ttl_secs`; pool and by-hash files kept for good.
 */
async function relay(req: FormatRequest): Promise<FormatResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw notAllowed('a cache repository is read-only');
  requireRepoAccess(req, 'read');
  const read = await req.engine.get(req.repo.name, req.path, {
    headOnly: req.method === 'HEAD',
    signal: upstreamSignal(req),
  });
  if (read === null) throw notFound(`${req.path} not found`);
  const mutable = req.path.startsWith('dists/') && !req.path.includes('/by-hash/');
  return immutableArtifactResponse(req, read, {
    'content-type': relayedType(req.path),
    ...(mutable ? { 'cache-control': 'no-cache' } : {}),
  });
}

/** Routes one APT repository request. */
export async function handle(env: AptEnv, req: FormatRequest): Promise<FormatResponse> {
  const { path } = req;
  if (req.repo.repo_type === 'cache') return relay(req);
  if (req.method === 'DELETE') return deleteDeb(env, req);
  if (req.method === 'PUT') {
    if (!path.endsWith('.deb')) throw notFound('upload a package with PUT …/{name}_{version}_{arch}.deb');
    return uploadDeb(env, req);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') throw notAllowed(`method ${req.method} is not allowed here`);
  requireRepoAccess(req, 'read');
  if (path === 'public.key' || path === 'public.gpg') {
    const key = await env.keys.key(req.repo.name);
    return path === 'public.key'
      ? bytes(req, key.publicArmored, 'application/pgp-keys')
      : bytes(req, key.publicBinary, 'application/pgp-keys');
  }
  const dists = DISTS.exec(path);
  if (dists !== null) return getDistFile(env, req, dists[1] as string, dists[2] as string);
  if (path.startsWith('pool/')) {
    // Through a proxy: the first member holding (or able to fetch) the file.
    const read = await req.engine.get(req.repo.name, path, {
      headOnly: req.method === 'HEAD',
      signal: upstreamSignal(req),
    });
    if (read === null) throw notFound(`${path} not found`);
    return immutableArtifactResponse(req, read, { 'content-type': 'application/vnd.debian.binary-package' });
  }
  throw notFound(`${path} not found`);
}
