import { type Endpoint, getDrain, send } from '../http/client.js';
import type { NpmTarball } from '../payload/tgz.js';

/** An npm registry: Depot's `/repository/{repo}` or a peer's root (`''`). */
export interface NpmRegistry {
  readonly ep: Endpoint;
  /** Path prefix without a trailing slash. */
  readonly base: string;
  /** Absolute origin used in `dist.tarball` URLs. */
  readonly origin: string;
}

/** The URL path segment of a package name as npm sends it (`@scope%2fname`). */
export function encodePackage(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

/** The tarball file name npm uses for a version (`name-1.0.0.tgz`, scope dropped). */
export function tarballFile(name: string, version: string): string {
  return `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
}

/** The URL path of a version's tarball (`{base}/{name}/-/{file}`). */
export function tarballPath(reg: NpmRegistry, name: string, version: string): string {
  return `${reg.base}/${name}/-/${tarballFile(name, version)}`;
}

/** Publishes one version the way `npm publish` does (PUT of the packument with `_attachments`). */
export async function publish(reg: NpmRegistry, name: string, version: string, tgz: NpmTarball): Promise<number> {
  const file = tarballFile(name, version);
  const doc = {
    _id: name,
    name,
    description: `${name} benchmark package`,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        name,
        version,
        description: `${name} benchmark package`,
        main: 'index.js',
        license: 'MIT',
        _id: `${name}@${version}`,
        dist: {
          shasum: tgz.shasum,
          integrity: tgz.integrity,
          tarball: `${reg.origin}${reg.base}/${name}/-/${file}`,
        },
      },
    },
    _attachments: {
      [file]: { content_type: 'application/octet-stream', data: tgz.data.toString('base64'), length: tgz.data.length },
    },
  };
  const body = JSON.stringify(doc);
  await send(reg.ep, 'PUT', `${reg.base}/${encodePackage(name)}`, {
    body,
    headers: { 'content-type': 'application/json' },
    expect: [200, 201],
  });
  return tgz.data.length;
}

/** GETs a packument and returns its bytes. */
export async function getPackument(reg: NpmRegistry, name: string): Promise<number> {
  return (await send(reg.ep, 'GET', `${reg.base}/${encodePackage(name)}`, { headers: { accept: 'application/json' } }))
    .bytes;
}

/** GETs a packument and parses it. */
export async function readPackument(reg: NpmRegistry, name: string): Promise<{ versions: Record<string, unknown> }> {
  const res = await send(reg.ep, 'GET', `${reg.base}/${encodePackage(name)}`, { text: true });
  return JSON.parse(res.text) as { versions: Record<string, unknown> };
}

/** GETs a version's tarball and returns its bytes. */
export async function getTarball(reg: NpmRegistry, name: string, version: string): Promise<number> {
  return getDrain(reg.ep, tarballPath(reg, name, version));
}
