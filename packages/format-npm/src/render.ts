import { createHash } from 'node:crypto';
import type { FormatRequest, FormatResponse } from '@depot/core';
import { isSafeTarballFile, tarballFileName, tarballPath } from './names.js';
import { dict } from './tags.js';
import type { Packument, PackumentVersion } from './types.js';

/** The media type of npm's abbreviated ("corgi") metadata. */
export const ABBREVIATED_TYPE = 'application/vnd.npm.install-v1+json';

/** Version fields the abbreviated document keeps (npm registry "Abbreviated version object"). */
const ABBREVIATED_FIELDS = [
  'name',
  'version',
  'deprecated',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'acceptDependencies',
  'bin',
  'directories',
  'engines',
  'os',
  'cpu',
  'libc',
  'funding',
  'license',
  '_hasShrinkwrap',
  'hasInstallScript',
  'dist',
] as const;

/** The file name of a version's tarball, from its `dist.tarball` when safe, else the canonical one. */
export function versionFile(version: PackumentVersion): string {
  const tarball = typeof version.dist?.tarball === 'string' ? version.dist.tarball : '';
  let last = '';
  try {
    last = decodeURIComponent(new URL(tarball, 'http://x/').pathname.split('/').pop() ?? '');
  } catch {
    last = '';
  }
  return isSafeTarballFile(last) ? last : tarballFileName(version.name, version.version);
}

/** Rewrites every `dist.tarball` to this repository's absolute URL (RELIABILITY §4.5 #97: no upstream URLs). */
export function withTarballUrls(doc: Packument, tarballBase: string): Packument {
  const versions = dict<PackumentVersion>();
  for (const [key, version] of Object.entries(doc.versions)) {
    const url = `${tarballBase}${tarballPath(doc.name, versionFile(version))}`;
    versions[key] = { ...version, dist: { ...version.dist, tarball: url } };
  }
  return { ...doc, versions };
}

/** The abbreviated document npm installs from: `name`, `modified`, `dist-tags`, trimmed versions. */
export function abbreviate(doc: Packument): Record<string, unknown> {
  const versions = dict<Record<string, unknown>>();
  for (const [key, version] of Object.entries(doc.versions)) {
    const slim: Record<string, unknown> = {};
    for (const field of ABBREVIATED_FIELDS) if (version[field] !== undefined) slim[field] = version[field];
    versions[key] = slim;
  }
  return {
    name: doc.name,
    modified: doc.time?.modified ?? new Date(0).toISOString(),
    'dist-tags': doc['dist-tags'],
    versions,
  };
}

/** The base every tarball URL of a repository starts with: `{baseUrl}/repository/{repo}/`. */
export function tarballBase(req: FormatRequest): string {
  return `${req.baseUrl.replace(/\/+$/, '')}/repository/${encodeURIComponent(req.repo.name)}/`;
}

/** Whether the client asked for abbreviated metadata. */
export function wantsAbbreviated(req: FormatRequest): boolean {
  return (req.headers.accept ?? '').includes(ABBREVIATED_TYPE) && req.query.get('write') !== 'true';
}

/** A JSON document with a strong ETag; `If-None-Match` → 304; HEAD gets headers only. */
export function jsonWithEtag(req: FormatRequest, value: unknown, contentType: string): FormatResponse {
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text);
  const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
  const headers = {
    'content-type': contentType,
    etag,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  const inm = req.headers['if-none-match'];
  if (inm?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return { status: 304, headers: { etag, 'cache-control': 'no-cache' } };
  }
  if (req.method === 'HEAD')
    return { status: 200, headers: { ...headers, 'content-length': String(bytes.byteLength) } };
  return { status: 200, headers: { ...headers, 'content-length': String(bytes.byteLength) }, body: bytes };
}

/** Renders a packument for `req`: full (with `_rev` when known) or abbreviated, tarballs pointing here. */
export function packumentResponse(req: FormatRequest, doc: Packument, rev?: string): FormatResponse {
  const local = withTarballUrls(doc, tarballBase(req));
  if (wantsAbbreviated(req)) return jsonWithEtag(req, abbreviate(local), ABBREVIATED_TYPE);
  const full = { ...local, _id: doc.name, ...(rev === undefined ? {} : { _rev: rev }) };
  return jsonWithEtag(req, full, 'application/json');
}
