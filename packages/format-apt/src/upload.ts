import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  jsonResponse,
  requestWriteTarget,
  requireRepoAccess,
  sha256OfFile,
  spoolToFile,
} from '@depot/core';
import { type ControlFields, readDebControl } from './deb.js';
import type { AptEnv } from './env.js';
import { bumpDist, type PackageRecord, packageId } from './store.js';

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^(\d+:)?[0-9][A-Za-z0-9.+~-]*$/;
const ARCH = /^[a-z0-9][a-z0-9-]*$/;
const DIST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const get = (fields: ControlFields, name: string): string | undefined =>
  fields.find(([n]) => n.toLowerCase() === name)?.[1];

/** Checks the fields apt needs and returns them. */
function identity(fields: ControlFields): { name: string; version: string; arch: string; source: string } {
  const name = get(fields, 'package');
  const version = get(fields, 'version');
  const arch = get(fields, 'architecture');
  if (name === undefined || version === undefined || arch === undefined) {
    throw badRequest('the control file needs Package, Version and Architecture');
  }
  if (!NAME.test(name)) throw badRequest(`invalid package name ${JSON.stringify(name.slice(0, 100))}`);
  if (!VERSION.test(version)) throw badRequest(`invalid version ${JSON.stringify(version.slice(0, 100))}`);
  if (!ARCH.test(arch)) throw badRequest(`invalid architecture ${JSON.stringify(arch.slice(0, 100))}`);
  const source = (get(fields, 'source') ?? name).replace(/\s*\(.*\)\s*$/, '');
  if (!NAME.test(source)) throw badRequest(`invalid source name ${JSON.stringify(source.slice(0, 100))}`);
  return { name, version, arch, source };
}

/** `pool/{component}/{prefix}/{source}/{file}`: the prefix is `libx` for `lib*` sources, else the first letter. */
export const poolPath = (component: string, source: string, file: string): string =>
  `pool/${component}/${source.startsWith('lib') && source.length > 3 ? source.slice(0, 4) : source[0]}/${source}/${file}`;

/**
 * `PUT {…}/{name}_{version}_{arch}.deb?distribution=&component=`: reads the control data of the
 * package, files it under the pool and in the distribution's `Packages`. The file name (when the
 * path gives one) must agree with the control data. The same package, version and architecture
 * again with other bytes is `CONFLICT` unless the repository allows redeploy; with the same bytes
 * it is accepted as is.
 */
export async function uploadDeb(env: AptEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  const options = env.options(target);
  const dist = req.query.get('distribution') ?? options.distribution;
  const component = req.query.get('component') ?? 'main';
  if (!DIST.test(dist))
    throw badRequest(`invalid distribution ${JSON.stringify(dist.slice(0, 100))}`, { field: 'distribution' });
  if (!DIST.test(component))
    throw badRequest(`invalid component ${JSON.stringify(component.slice(0, 100))}`, { field: 'component' });
  const limit = env.ctx.settings().max_artifact_bytes;
  const spooled = await spoolToFile(
    req.body,
    typeof limit === 'number' && limit > 0 ? limit : Number.MAX_SAFE_INTEGER,
    'apt',
  );
  try {
    const fields = await readDebControl(spooled.path);
    const { name, version, arch, source } = identity(fields);
    const file = `${name}_${version.replace(/^\d+:/, '')}_${arch}.deb`;
    const given = basename(req.path);
    if (given.endsWith('.deb') && given !== file) {
      throw badRequest(`the file name ${given} does not match the package's control data (${file})`);
    }
    const id = packageId(target.name, dist, component, arch, name, version);
    const filename = poolPath(component, source, file);
    // A pool file is one set of bytes for every distribution that lists it: other bytes under a
    // taken name are refused unless the repository allows redeploy; the same bytes are a no-op.
    const existing = await env.engine.stat(target.name, filename);
    let record = existing;
    if (existing !== null && !options.allow_redeploy) {
      if ((await sha256OfFile(spooled.path)) !== existing.hashes.sha256) {
        throw new DepotError('CONFLICT', `${file} is already in the pool with other bytes`, {
          details: { package: name, version, architecture: arch, filename },
        });
      }
    } else {
      record = await env.engine.put(target.name, filename, createReadStream(spooled.path), {
        algorithms: ['md5', 'sha1', 'sha256'],
        contentType: 'application/vnd.debian.binary-package',
        sizeHint: (await stat(spooled.path)).size,
        signal: req.signal,
      });
    }
    if (record === null) throw new DepotError('INTERNAL_ERROR', 'the pool file vanished');
    const pkg: PackageRecord = {
      fields,
      component,
      architecture: arch,
      filename,
      size: record.size,
      md5: record.hashes.md5 ?? '',
      sha1: record.hashes.sha1 ?? '',
      sha256: record.hashes.sha256 ?? '',
      uploaded_at: new Date(env.ctx.now()).toISOString(),
    };
    await env.store.packages.put(id, pkg);
    await bumpDist(env.store, target.name, dist, env.ctx.now());
    if (existing !== null && existing.hashes.sha256 !== pkg.sha256) await relist(env, target.name, pkg);
    return jsonResponse(201, { package: name, version, architecture: arch, distribution: dist, component, filename });
  } finally {
    await spooled.remove();
  }
}

/** A redeployed pool file: every distribution listing it gets its new size and digests. */
async function relist(env: AptEnv, repo: string, pkg: PackageRecord): Promise<void> {
  const touched = new Set<string>();
  for await (const { id, record } of env.store.packages.scan({ prefix: `${repo}/` })) {
    if (record.filename !== pkg.filename || record.sha256 === pkg.sha256) continue;
    const { size, md5, sha1, sha256 } = pkg;
    await env.store.packages.put(id, { ...record, size, md5, sha1, sha256 });
    touched.add(id.slice(repo.length + 1, id.indexOf('/', repo.length + 1)));
  }
  for (const dist of touched) await bumpDist(env.store, repo, dist, env.ctx.now());
}

/**
 * `DELETE pool/…/{file}.deb?distribution=`: removes the package from the distribution's indexes
 * (every component and architecture listing that pool file), and the pool file itself once no
 * distribution lists it. 404 when the distribution does not list it.
 */
export async function deleteDeb(env: AptEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  const target = await requestWriteTarget(req, 'delete');
  const dist = req.query.get('distribution') ?? env.options(target).distribution;
  if (!DIST.test(dist)) throw badRequest('invalid distribution', { field: 'distribution' });
  let removed = 0;
  let stillListed = false;
  for await (const { id, record } of env.store.packages.scan({ prefix: `${target.name}/` })) {
    if (record.filename !== req.path) continue;
    if (id.startsWith(`${target.name}/${dist}/`)) {
      await env.store.packages.delete(id);
      removed++;
    } else stillListed = true;
  }
  if (removed === 0) throw new DepotError('NOT_FOUND', `${req.path} is not in ${dist}`);
  await bumpDist(env.store, target.name, dist, env.ctx.now());
  if (!stillListed) await env.engine.delete(target.name, req.path);
  return { status: 204 };
}

/**
 * Deletes the artifact at `path` of hosted `repo` (bulk delete through the admin API): a pool file
 * leaves every distribution that lists it first, then the file goes.
 */
export async function removeArtifact(env: AptEnv, repo: string, path: string): Promise<boolean> {
  const touched = new Set<string>();
  for await (const { id, record } of env.store.packages.scan({ prefix: `${repo}/` })) {
    if (record.filename !== path) continue;
    await env.store.packages.delete(id);
    touched.add(id.slice(repo.length + 1, id.indexOf('/', repo.length + 1)));
  }
  for (const dist of touched) await bumpDist(env.store, repo, dist, env.ctx.now());
  return env.engine.delete(repo, path);
}
