import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  badRequest,
  type CachePolicy,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  immutableArtifactResponse,
  jsonResponse,
  notAllowed,
  notFound,
  type RepositoryRecord,
  requestWriteTarget,
  requireRepoAccess,
  sha256OfFile,
  spoolToFile,
  upstreamSignal,
} from '@depot/core';
import type { YumEnv } from './env.js';
import { readUploadForm } from './form.js';
import { proxyRepodata } from './proxy.js';
import { buildRepodata, type PackageEntry, type Repodata } from './repodata.js';
import { readRpm } from './rpm.js';
import { signRepodata } from './sign.js';
import { createSnapshot, deleteSnapshot, getSnapshotFile, listSnapshots, SNAPSHOTS } from './snapshots.js';
import { bumpGeneration, generationId, groupPackages } from './store.js';
import { expectedPackage, listedIn } from './verify.js';

const MAX_BUILT = 64;
/** Path segments of a package: no dot-segments, no hidden names, no `repodata/`. */
const SEGMENT = /^[A-Za-z0-9_+~^][A-Za-z0-9._+~^-]*$/;

/** `repodata_depth` of a repository (0 when unset). */
export const depthOf = (repo: RepositoryRecord): number => {
  const depth = repo.format_options?.repodata_depth;
  return typeof depth === 'number' ? depth : 0;
};

/**
 * Checks a package path (`{dir/…/}{name}.rpm`, every segment plain, none named `repodata`) and
 * returns its group: the first `depth` directories, whose `repodata/` lists it.
 */
function groupOfPackage(path: string, depth: number): string {
  const segments = path.split('/');
  for (const s of segments) {
    if (!SEGMENT.test(s) || s.length > 255) throw badRequest(`invalid path segment ${JSON.stringify(s.slice(0, 100))}`);
    if (s === 'repodata') throw badRequest('packages cannot be stored under a repodata/ directory');
  }
  if (segments[0] === SNAPSHOTS) throw badRequest('snapshots/ holds snapshots; store packages elsewhere');
  if (segments.length - 1 < depth) {
    throw badRequest(`with repodata_depth ${depth}, packages go at least ${depth} directories deep`);
  }
  return segments.slice(0, depth).join('/');
}

/**
 * Files the spooled RPM at `path`: reads the package's headers (never its payload), checks the
 * file name agrees with them, stores the file and its metadata record, and moves its repodata root
 * to a new generation (rebuilt from the records on the next read). The same path again with other
 * bytes is `CONFLICT`; with the same bytes, accepted as is.
 */
async function storePackage(
  env: YumEnv,
  req: FormatRequest,
  target: RepositoryRecord,
  path: string,
  file: string,
): Promise<FormatResponse> {
  const group = groupOfPackage(path, depthOf(target));
  const info = await readRpm(file);
  const expected = `${info.name}-${info.version}-${info.release}.${info.arch}.rpm`;
  const given = basename(path);
  if (given !== expected) {
    throw badRequest(`the file name ${given} does not match the package's headers (${expected})`);
  }
  const existing = await env.store.packages.get(`${target.name}/${path}`);
  if (existing !== null) {
    // Only a repeat is hashed here; a new package is hashed once, by the store as it is written.
    const sha256 = await sha256OfFile(file);
    if (existing.sha256 !== sha256) {
      throw new DepotError('CONFLICT', `${path} is already stored with other bytes`, { details: { path } });
    }
    return jsonResponse(200, { path, name: info.name, sha256 });
  }
  const record = await env.engine.put(target.name, path, createReadStream(file), {
    algorithms: ['sha256'],
    contentType: 'application/x-rpm',
    sizeHint: (await stat(file)).size,
    signal: req.signal,
  });
  const sha256 = record.hashes.sha256 ?? (await sha256OfFile(file));
  const entry: PackageEntry = { info, path, size: record.size, sha256, fileTime: Math.floor(env.ctx.now() / 1000) };
  await env.store.packages.put(`${target.name}/${path}`, entry);
  await bumpGeneration(env.store, target.name, group, env.ctx.now());
  return jsonResponse(201, {
    path,
    name: info.name,
    epoch: info.epoch,
    version: info.version,
    release: info.release,
    arch: info.arch,
    sha256,
  });
}

const uploadLimit = (env: YumEnv): number => {
  const limit = env.ctx.settings().max_artifact_bytes;
  return typeof limit === 'number' && limit > 0 ? limit : Number.MAX_SAFE_INTEGER;
};

/** `PUT {dir/}{name}-{version}-{release}.{arch}.rpm`. */
async function upload(env: YumEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  groupOfPackage(req.path, depthOf(target));
  const spooled = await spoolToFile(req.body, uploadLimit(env), 'yum');
  try {
    return await storePackage(env, req, target, req.path, spooled.path);
  } finally {
    await spooled.remove();
  }
}

/**
 * `POST upload` with a `multipart/form-data` body: a `file` part (the RPM, named by its file name)
 * and an optional `directory` field, in either order — what Nexus's upload form and `curl -F` send.
 * Filed as a `PUT {directory}/{file name}` would be.
 */
async function uploadForm(env: YumEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  const form = await readUploadForm(req.headers['content-type'], req.body, uploadLimit(env));
  try {
    const directory = (form.fields.get('directory') ?? '').replace(/^\/+|\/+$/g, '');
    if (form.file === null) throw badRequest('the form has no file part', { field: 'file' });
    const path = directory === '' ? form.file.filename : `${directory}/${form.file.filename}`;
    return await storePackage(env, req, target, path, form.file.path);
  } finally {
    await form.cleanup();
  }
}

/**
 * Deletes the artifact at `path` of hosted `repo`: a package leaves the repodata first (new
 * generation of its root), then its file goes; anything else is deleted as it is.
 */
export async function removeArtifact(env: YumEnv, repo: RepositoryRecord, path: string): Promise<boolean> {
  if (path.endsWith('.rpm') && (await env.store.packages.delete(`${repo.name}/${path}`))) {
    const group = path.split('/').slice(0, depthOf(repo)).join('/');
    await bumpGeneration(env.store, repo.name, group, env.ctx.now());
  }
  return env.engine.delete(repo.name, path);
}

/** `DELETE {path}.rpm`: the package leaves the repodata (new generation), then its file goes. */
async function remove(env: YumEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  const target = await requestWriteTarget(req, 'delete');
  if (!(await env.store.packages.delete(`${target.name}/${req.path}`))) throw notFound(`${req.path} not found`);
  await bumpGeneration(env.store, target.name, groupOfPackage(req.path, depthOf(target)), env.ctx.now());
  await env.engine.delete(target.name, req.path);
  return { status: 204 };
}

/**
 * The repodata of `group` in hosted `repo` at its current generation (an empty group has one too).
 * `null` when `group` is not a repodata root of the repository (its depth differs).
 */
async function built(env: YumEnv, repo: RepositoryRecord, group: string): Promise<Repodata | null> {
  if ((group === '' ? 0 : group.split('/').length) !== depthOf(repo)) return null;
  const state = await env.store.generations.get(generationId(repo.name, group));
  const generation = state?.generation ?? 0;
  const key = `${repo.name}\u0000${group}\u0000${generation}`;
  let held = env.built.get(key);
  if (held === undefined) {
    if (env.built.size >= MAX_BUILT) env.built.clear();
    const at = state === null ? Date.parse(repo.created_at) : Date.parse(state.updated_at);
    held = (async () =>
      signRepodata(
        env,
        repo.name,
        buildRepodata(await groupPackages(env.store, repo.name, group), Math.floor(at / 1000)),
      ))();
    env.built.set(key, held);
    held.catch(() => env.built.delete(key));
  }
  return held;
}

function bytes(req: FormatRequest, body: Uint8Array, type: string, mutable: boolean): FormatResponse {
  return {
    status: 200,
    headers: {
      'content-type': type,
      'content-length': String(body.byteLength),
      'cache-control': mutable ? 'no-cache' : 'public, max-age=31536000, immutable',
    },
    body: req.method === 'HEAD' ? null : body,
  };
}

/** A `repodata/` file name createrepo addresses by content: `{sha256}-{type}.xml.gz` and the like. */
const ADDRESSED = /(?:^|\/)repodata\/([0-9a-f]{64})-[^/]+$/;
/**
 * A content-addressed repodata file of an earlier generation still held: a client that read the
 * previous `repomd.xml` just before a change still gets the files it names.
 */
async function earlier(
  env: YumEnv,
  repo: RepositoryRecord,
  group: string,
  name: string,
): Promise<Uint8Array | undefined> {
  const prefix = `${repo.name}\u0000${group}\u0000`;
  for (const [key, held] of env.built) {
    if (!key.startsWith(prefix)) continue;
    const file = (await held.catch(() => null))?.get(name);
    if (file !== undefined) return file;
  }
  return undefined;
}

/** `{group/}repodata/{file}`. */
const REPODATA = /^(?:(.+)\/)?repodata\/([^/]+)$/;

/**
 * Cache repositories of an rpm-md mirror: `repodata/repomd.xml` (and any repodata file not named
 * by its checksum) is revalidated per `cache_ttl_secs`; packages and content-addressed repodata
 * never change under their path, and the latter are verified against the SHA-256 in their name.
 */
export const YUM_CACHE_POLICY: CachePolicy = {
  isImmutable: (path) => path.endsWith('.rpm') || ADDRESSED.test(path),
  isInternal: (path) => REPODATA.test(path),
  expectedContent: (path) => {
    const sha256 = ADDRESSED.exec(path)?.[1];
    return sha256 === undefined ? undefined : { sha256 };
  },
  algorithms: ['sha256'],
};

const relayedType = (path: string): string =>
  path.endsWith('.rpm')
    ? 'application/x-rpm'
    : path.endsWith('.xml')
      ? 'application/xml'
      : path.endsWith('.gz')
        ? 'application/gzip'
        : 'application/octet-stream';

/**
 * A cache: every file relayed as the upstream has it (so a signed repomd stays signed). A package
 * fetched from the mirror is stored only if it matches the size and digest the mirror's own
 * primary lists for it.
 */
async function relay(env: YumEnv, req: FormatRequest): Promise<FormatResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw notAllowed('a cache repository is read-only');
  requireRepoAccess(req, 'read');
  const signal = upstreamSignal(req);
  const expected = req.path.endsWith('.rpm') ? await expectedPackage(env, req.repo, req.path, signal) : undefined;
  const read = await req.engine.get(req.repo.name, req.path, {
    headOnly: req.method === 'HEAD',
    signal,
    ...(expected === undefined ? {} : { expected }),
  });
  if (read === null) throw notFound(`${req.path} not found`);
  const mutable = REPODATA.test(req.path) && !ADDRESSED.test(req.path);
  return immutableArtifactResponse(req, read, {
    'content-type': relayedType(req.path),
    ...(mutable ? { 'cache-control': 'no-cache' } : {}),
  });
}

/** Routes one Yum repository request. */
export async function handle(env: YumEnv, req: FormatRequest): Promise<FormatResponse> {
  const { path } = req;
  if (req.repo.repo_type === 'cache') return relay(env, req);
  if (req.method === 'POST' && path === 'upload') return uploadForm(env, req);
  const snapshot = /^snapshots(?:\/([^/]+))?(\/repodata\/[^/]+)?$/.exec(path);
  if (snapshot !== null && req.repo.repo_type === 'hosted' && req.method !== 'PUT') {
    const [, name, file] = snapshot;
    if (name === undefined && (req.method === 'GET' || req.method === 'HEAD')) return listSnapshots(env, req);
    if (name !== undefined && file === undefined && req.method === 'POST') return createSnapshot(env, req, name);
    if (name !== undefined && file === undefined && req.method === 'DELETE') return deleteSnapshot(env, req, name);
    if (file !== undefined && (req.method === 'GET' || req.method === 'HEAD')) return getSnapshotFile(req);
    throw notAllowed(`${req.method} ${path} is not a snapshot operation`);
  }
  if (req.method === 'PUT') {
    if (!path.endsWith('.rpm')) throw notFound('upload a package with PUT …/{name}-{version}-{release}.{arch}.rpm');
    return upload(env, req);
  }
  if (req.method === 'DELETE') {
    if (!path.endsWith('.rpm')) throw notAllowed('only packages (….rpm) can be deleted');
    return remove(env, req);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') throw notAllowed(`method ${req.method} is not allowed here`);
  requireRepoAccess(req, 'read');
  const repodataPath = REPODATA.exec(path);
  if (repodataPath !== null) {
    const group = repodataPath[1] ?? '';
    const name = repodataPath[2] as string;
    const repodata =
      req.repo.repo_type === 'proxy'
        ? await proxyRepodata(env, req.repo, group, (member) => built(env, member, group), upstreamSignal(req))
        : await built(env, req.repo, group);
    const file =
      repodata?.get(name) ??
      (req.repo.repo_type === 'hosted' && ADDRESSED.test(path) ? await earlier(env, req.repo, group, name) : undefined);
    if (file === undefined) throw notFound(`${path} not found`);
    const type = name.endsWith('.xml')
      ? 'application/xml'
      : name.endsWith('.asc')
        ? 'application/pgp-signature'
        : name.endsWith('.key')
          ? 'application/pgp-keys'
          : 'application/gzip';
    return bytes(req, file, type, name.startsWith('repomd.xml'));
  }
  if (path.endsWith('.rpm')) {
    // Through a proxy, a package a member cache fetches must match what the merged primary lists.
    const expected =
      req.repo.repo_type === 'proxy'
        ? listedIn(
            await proxyRepodata(env, req.repo, '', (member) => built(env, member, ''), upstreamSignal(req)),
            path,
          )
        : undefined;
    const read = await req.engine.get(req.repo.name, path, {
      headOnly: req.method === 'HEAD',
      signal: upstreamSignal(req),
      ...(expected === undefined ? {} : { expected }),
    });
    if (read === null) throw notFound(`${path} not found`);
    return immutableArtifactResponse(req, read, { 'content-type': 'application/x-rpm' });
  }
  throw notFound(`${path} not found`);
}
