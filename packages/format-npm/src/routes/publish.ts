import {
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  isDepotError,
  type RepositoryRecord,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import { decodeAttachment } from '../attachment.js';
import { chunked, readJsonObject } from '../body.js';
import type { NpmEnv } from '../env.js';
import { jsonResponse } from '../errors.js';
import { digestTarball, type TarballDigests, verifyDist } from '../integrity.js';
import { checkManifest } from '../manifest-check.js';
import { tarballFileName, tarballPath, validatePackageName } from '../names.js';
import { dict, isValidTag, validateTag, validateVersion } from '../tags.js';
import { inspectTarball } from '../tarball-inspect.js';
import { isObject, type JsonObject, type Packument, type PackumentVersion, type StoredPackument } from '../types.js';
import { updateMetadata } from './update.js';

/** Top-level packument fields a publish refreshes from its body. */
const TOP_FIELDS = [
  'description',
  'readme',
  'readmeFilename',
  'maintainers',
  'keywords',
  'license',
  'repository',
  'homepage',
  'bugs',
  'author',
  'contributors',
];

/** Reads a body to its end, keeping nothing (closing it early would reset the client's upload). */
async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of body) {
    // dropped
  }
}

/** The body size a publish declares; without `Content-Length`, the largest one accepted. */
function declaredBytes(req: FormatRequest, limit: number): number {
  const declared = Number(req.headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
}

/** `PUT {name}` (publish or metadata update) and `PUT {name}/-rev/{rev}` (unpublish of a version). */
export async function putPackument(
  env: NpmEnv,
  req: FormatRequest,
  name: string,
  rev?: string,
): Promise<FormatResponse> {
  validatePackageName(name);
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  let free: () => void;
  try {
    free = env.publishes.take(declaredBytes(req, env.publishLimit()));
  } catch (err) {
    // Read the refused body to its end (without keeping it) so the client sees the 429, not a reset.
    await drain(req.body).catch(() => undefined);
    throw err;
  }
  try {
    return await putDocument(env, req, target, name, rev);
  } finally {
    free();
  }
}

async function putDocument(
  env: NpmEnv,
  req: FormatRequest,
  target: RepositoryRecord,
  name: string,
  rev: string | undefined,
): Promise<FormatResponse> {
  const body = await readJsonObject(req.body, req.headers, env.publishLimit());
  if (body.name !== name || (body._id !== undefined && body._id !== name)) {
    throw badRequest('the package name in the document does not match the URL');
  }
  const attachments = body._attachments;
  const publishing = isObject(attachments) && Object.keys(attachments).length > 0;
  try {
    if (!publishing) return await updateMetadata(env, req, target, name, body, rev);
    if (rev !== undefined) throw badRequest('a publish carries no revision');
    return await publishVersion(env, req, target, name, body, attachments);
  } finally {
    env.merged.invalidate(name);
  }
}

async function publishVersion(
  env: NpmEnv,
  req: FormatRequest,
  target: RepositoryRecord,
  name: string,
  body: JsonObject,
  attachments: JsonObject,
): Promise<FormatResponse> {
  const versions = isObject(body.versions) ? Object.entries(body.versions) : [];
  const [entry, ...others] = versions;
  if (entry === undefined || others.length > 0) throw badRequest('a publish must carry exactly one version');
  const [key, manifest] = entry;
  validateVersion(key);
  if (!isObject(manifest) || manifest.version !== key || manifest.name !== name) {
    throw badRequest('the version key must equal its version field and the name the package name');
  }
  const dist = isObject(manifest.dist) ? manifest.dist : {};
  const limit = env.publishLimit();
  const { bytes } = decodeAttachment(attachments, name, key, limit);
  const digests = digestTarball(bytes);
  verifyDist(digests, dist.integrity, dist.shasum);
  checkManifest(manifest, await inspectTarball(bytes, name, key));
  const existing = await env.store.get(target.name, name);
  if (existing !== null && Object.hasOwn(existing.doc.versions, key)) throw cannotPublishOver(key);
  const path = tarballPath(name, tarballFileName(name, key));
  try {
    await env.engine.put(target.name, path, chunked(bytes), {
      contentType: 'application/octet-stream',
      algorithms: ['sha512', 'sha1'],
      expected: { size: bytes.byteLength, sha512: digests.sha512Hex, sha1: digests.sha1Hex },
      maxBytes: limit,
      sizeHint: bytes.byteLength,
      overwrite: false,
      signal: req.signal,
    });
  } catch (err) {
    throw isDepotError(err, 'CONFLICT') ? cannotPublishOver(key) : err;
  }
  const version = versionDoc(manifest, name, key, path, digests);
  let stored: StoredPackument | null;
  try {
    stored = await env.store.update(target.name, name, (current) =>
      withVersion(current, body, version, new Date().toISOString()),
    );
  } catch (err) {
    // The packument refused the version: the tarball just stored must not linger.
    await env.engine.delete(target.name, path).catch(() => false);
    throw err;
  }
  return jsonResponse(201, { ok: true, id: name, rev: stored?.rev });
}

function cannotPublishOver(version: string): DepotError {
  return new DepotError('FORBIDDEN', `cannot publish over the previously published versions: ${version}`);
}

function versionDoc(
  manifest: JsonObject,
  name: string,
  key: string,
  path: string,
  digests: TarballDigests,
): PackumentVersion {
  const dist = isObject(manifest.dist) ? manifest.dist : {};
  return {
    ...manifest,
    name,
    version: key,
    _id: `${name}@${key}`,
    dist: { ...dist, tarball: path, integrity: digests.integrity, shasum: digests.sha1Hex },
  };
}

/** The packument after adding `version`: its time stamps, `--tag`s from the body, `latest` when absent. */
function withVersion(
  current: StoredPackument | null,
  body: JsonObject,
  version: PackumentVersion,
  now: string,
): Packument {
  const base = current?.doc;
  if (base !== undefined && Object.hasOwn(base.versions, version.version)) throw cannotPublishOver(version.version);
  const versions = Object.assign(dict<PackumentVersion>(), base?.versions);
  versions[version.version] = version;
  const tags = dict<string>();
  // A stored tag whose name is no longer valid (`constructor`, from before names were checked) is dropped.
  for (const [tag, value] of Object.entries(base?.['dist-tags'] ?? {})) if (isValidTag(tag)) tags[tag] = value;
  if (isObject(body['dist-tags'])) {
    for (const [tag, value] of Object.entries(body['dist-tags'])) {
      if (typeof value !== 'string' || !Object.hasOwn(versions, value))
        throw badRequest(`dist-tag ${tag} names an unknown version`);
      tags[validateTag(tag)] = value;
    }
  }
  tags.latest ??= version.version;
  const top = dict<unknown>();
  for (const field of TOP_FIELDS) if (body[field] !== undefined) top[field] = body[field];
  return {
    ...base,
    ...top,
    _id: version.name,
    name: version.name,
    'dist-tags': tags,
    versions,
    time: Object.assign(dict<string>(), base?.time, {
      created: base?.time?.created ?? now,
      modified: now,
      [version.version]: now,
    }),
  };
}
