import {
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  immutableArtifactResponse,
  jsonResponse,
  notFound,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import type { YumEnv } from './env.js';
import { buildRepodata } from './repodata.js';
import { signRepodata } from './sign.js';
import { groupPackages } from './store.js';

/** Where snapshots live in a repository: `snapshots/{name}/repodata/…`. */
export const SNAPSHOTS = 'snapshots';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TYPES: Readonly<Record<string, string>> = {
  '.xml': 'application/xml',
  '.gz': 'application/gzip',
  '.asc': 'application/pgp-signature',
  '.key': 'application/pgp-keys',
};

/**
 * `POST snapshots/{name}`: freezes the repository's metadata as it is now under
 * `snapshots/{name}/repodata/`, a repository of its own for dnf (`baseurl=…/snapshots/{name}/`).
 * Its primary lists each package with `location href="../../{path}"`, so the packages are read
 * from where they are; the files are stored as artifacts (they survive restarts and backups) and
 * signed with the repository's key. A name already taken is `CONFLICT`. Only the metadata is
 * frozen: a package deleted later is gone from the snapshot too.
 */
export async function createSnapshot(env: YumEnv, req: FormatRequest, name: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  if (!NAME.test(name)) throw badRequest(`invalid snapshot name ${JSON.stringify(name.slice(0, 100))}`);
  if ((await env.engine.stat(target.name, `${SNAPSHOTS}/${name}/repodata/repomd.xml`)) !== null) {
    throw new DepotError('CONFLICT', `snapshot ${name} exists`, { details: { snapshot: name } });
  }
  const packages = (await groupPackages(env.store, target.name, '')).map((p) => ({ ...p, path: `../../${p.path}` }));
  const repodata = await signRepodata(env, target.name, buildRepodata(packages, Math.floor(env.ctx.now() / 1000)));
  // repomd.xml last: the snapshot exists (and is listed) once every file it names does.
  const names = [...repodata.keys()].sort((a, b) => Number(a === 'repomd.xml') - Number(b === 'repomd.xml'));
  for (const file of names) {
    await env.engine.put(target.name, `${SNAPSHOTS}/${name}/repodata/${file}`, repodata.get(file) as Uint8Array, {
      contentType: TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
    });
  }
  return jsonResponse(201, { snapshot: name, packages: packages.length, path: `${SNAPSHOTS}/${name}/` });
}

/** `GET snapshots`: the snapshots of the repository, by name. */
export async function listSnapshots(env: YumEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.engine.list(req.repo.name, {
      prefix: `${SNAPSHOTS}/`,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const a of page.artifacts) {
      const m = /^snapshots\/([^/]+)\/repodata\/repomd\.xml$/.exec(a.path);
      if (m !== null) names.push(m[1] as string);
    }
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return jsonResponse(200, { snapshots: names.sort() });
}

/** `DELETE snapshots/{name}`: removes the snapshot's files (repomd.xml first). */
export async function deleteSnapshot(env: YumEnv, req: FormatRequest, name: string): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  const target = await requestWriteTarget(req, 'delete');
  const prefix = `${SNAPSHOTS}/${name}/repodata/`;
  if (!(await env.engine.delete(target.name, `${prefix}repomd.xml`))) throw notFound(`snapshot ${name} not found`);
  const page = await env.engine.list(target.name, { prefix, limit: 100 });
  for (const a of page.artifacts) await env.engine.delete(target.name, a.path);
  return { status: 204 };
}

/** `GET snapshots/{name}/repodata/{file}`. */
export async function getSnapshotFile(req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const read = await req.engine.get(req.repo.name, req.path, { headOnly: req.method === 'HEAD' });
  if (read === null) throw notFound(`${req.path} not found`);
  const type = TYPES[req.path.slice(req.path.lastIndexOf('.'))] ?? 'application/octet-stream';
  return immutableArtifactResponse(req, read, {
    'content-type': type,
    ...(req.path.endsWith('repomd.xml') ? { 'cache-control': 'no-cache' } : {}),
  });
}
