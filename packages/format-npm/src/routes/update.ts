import {
  accessDenied,
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  notFound,
  type RepositoryRecord,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import type { NpmEnv } from '../env.js';
import { jsonResponse } from '../errors.js';
import { tarballPath, validatePackageName } from '../names.js';
import { versionFile } from '../render.js';
import { dict, highestVersion, isValidTag, validateTag } from '../tags.js';
import { isObject, type JsonObject, type Packument, type PackumentVersion, type StoredPackument } from '../types.js';

/**
 * A packument PUT without attachments. Without a revision (`npm deprecate`) only `deprecated`
 * fields change. With one (`npm unpublish name@version`: `PUT {name}/-rev/{rev}`) versions missing
 * from the body are removed (needs `delete`) with their tarballs, and dist-tags follow the body.
 * Nothing else in the stored document (dist, integrity, manifests) can be rewritten this way.
 */
export async function updateMetadata(
  env: NpmEnv,
  req: FormatRequest,
  target: RepositoryRecord,
  name: string,
  body: JsonObject,
  rev: string | undefined,
): Promise<FormatResponse> {
  const bodyVersions = isObject(body.versions) ? body.versions : {};
  let removed: PackumentVersion[] = [];
  // Removing versions through a proxy needs `delete` on the member they are removed from too.
  const targetMayDelete = target.name === req.repo.name || req.principal.can('delete', target.name);
  const stored = await env.store.update(target.name, name, (current) => {
    removed = [];
    if (current === null) throw notFound(`package ${name} not found`);
    if (rev !== undefined && rev !== current.rev) throw new DepotError('CONFLICT', 'document revision is out of date');
    for (const key of Object.keys(bodyVersions)) {
      if (!Object.hasOwn(current.doc.versions, key))
        throw badRequest(`version ${key} cannot be added without its tarball`);
    }
    const versions = dict<PackumentVersion>();
    for (const [key, version] of Object.entries(current.doc.versions)) {
      const sent = bodyVersions[key];
      if (sent === undefined && rev !== undefined) {
        removed.push(version);
        continue;
      }
      versions[key] = isObject(sent) ? withDeprecation(version, sent.deprecated) : version;
    }
    if (removed.length > 0) requireRepoAccess(req, 'delete');
    if (removed.length > 0 && !targetMayDelete) throw accessDenied(req.principal, 'delete', req.repo.name);
    if (Object.keys(versions).length === 0) return null;
    return {
      ...current.doc,
      versions,
      'dist-tags': nextTags(current, body, versions, rev !== undefined),
      time: touched(current.doc),
    };
  });
  for (const version of removed) await env.engine.delete(target.name, tarballPath(name, versionFile(version)));
  return jsonResponse(200, { ok: true, id: name, ...(stored === null ? {} : { rev: stored.rev }) });
}

function withDeprecation(version: PackumentVersion, deprecated: unknown): PackumentVersion {
  if (typeof deprecated === 'string' && deprecated !== '') return { ...version, deprecated };
  const { deprecated: _dropped, ...rest } = version;
  return rest as PackumentVersion;
}

export function touched(doc: Packument): Record<string, string> {
  return { ...doc.time, modified: new Date().toISOString() };
}

/**
 * Tags after an update: the body's (unpublish) or the current ones, never naming a removed version.
 * A tag name that is no longer valid but is already stored (`constructor`, from before names were
 * checked) is dropped rather than refused, so the document can still be deprecated and unpublished.
 */
export function nextTags(
  current: StoredPackument,
  body: JsonObject,
  versions: Record<string, PackumentVersion>,
  fromBody: boolean,
): Record<string, string> {
  const source = fromBody && isObject(body['dist-tags']) ? body['dist-tags'] : current.doc['dist-tags'];
  const tags = dict<string>();
  for (const [tag, version] of Object.entries(source)) {
    if (!isValidTag(tag) && Object.hasOwn(current.doc['dist-tags'], tag)) continue;
    if (typeof version === 'string' && Object.hasOwn(versions, version)) tags[validateTag(tag)] = version;
  }
  if (tags.latest === undefined) {
    const latest = highestVersion(Object.keys(versions));
    if (latest !== undefined) tags.latest = latest;
  }
  return tags;
}

/** `DELETE {name}/-rev/{rev}`: `npm unpublish name --force`, every version and tarball. */
export async function deletePackage(
  env: NpmEnv,
  req: FormatRequest,
  name: string,
  rev: string,
): Promise<FormatResponse> {
  validatePackageName(name);
  requireRepoAccess(req, 'delete');
  const target = await requestWriteTarget(req, 'delete');
  await env.store.update(target.name, name, (current) => {
    if (current === null) throw notFound(`package ${name} not found`);
    if (rev !== current.rev) throw new DepotError('CONFLICT', 'document revision is out of date');
    return null;
  });
  env.merged.invalidate(name);
  let cursor: string | undefined;
  do {
    const page = await env.engine.list(target.name, {
      prefix: `${name}/-/`,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const artifact of page.artifacts) await env.engine.delete(target.name, artifact.path);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return jsonResponse(200, { ok: true });
}
