import { badRequest } from '@depot/core';
import semver from 'semver';
import { requireCrateName } from './names.js';
import type { IndexDependency, IndexEntry } from './records.js';

/** The publish metadata Depot reads (cargo sends more; the rest is ignored). */
export interface PublishMetadata {
  readonly name: string;
  readonly vers: string;
  readonly description: string | null;
  readonly entry: (cksum: string) => IndexEntry;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`${what} must be a list of strings`);
  return v as string[];
};

function dependency(raw: unknown): IndexDependency {
  if (!isRecord(raw)) throw badRequest('each dependency must be an object');
  const { name, version_req, optional, default_features, target, kind, registry, explicit_name_in_toml } = raw;
  if (typeof name !== 'string') throw badRequest('a dependency has no name');
  requireCrateName(name);
  if (typeof version_req !== 'string' || semver.validRange(version_req) === null) {
    throw badRequest(`dependency ${name} has an invalid version requirement`);
  }
  const k = kind ?? 'normal';
  if (k !== 'normal' && k !== 'dev' && k !== 'build') throw badRequest(`dependency ${name} has an invalid kind`);
  const renamed = typeof explicit_name_in_toml === 'string' && explicit_name_in_toml !== '';
  return {
    name: renamed ? explicit_name_in_toml : name,
    req: version_req,
    features: strings(raw.features, `features of dependency ${name}`),
    optional: optional === true,
    default_features: default_features !== false,
    target: typeof target === 'string' ? target : null,
    kind: k,
    ...(typeof registry === 'string' && registry !== '' ? { registry } : {}),
    ...(renamed ? { package: name } : {}),
  };
}

/**
 * Validates cargo's publish metadata: a valid crate name, a SemVer version, well-formed
 * dependencies and features. The index entry is built once the `.crate`'s checksum is known.
 */
export function readPublishMetadata(raw: unknown): PublishMetadata {
  if (!isRecord(raw)) throw badRequest('publish metadata must be a JSON object');
  const { name, vers } = raw;
  if (typeof name !== 'string') throw badRequest('publish metadata has no name');
  requireCrateName(name);
  if (typeof vers !== 'string' || semver.valid(vers) !== vers) {
    throw badRequest(`version "${String(vers).slice(0, 80)}" is not SemVer`);
  }
  const deps = (Array.isArray(raw.deps) ? raw.deps : []).map(dependency);
  const features: Record<string, string[]> = {};
  const features2: Record<string, string[]> = {};
  if (raw.features !== undefined && !isRecord(raw.features)) throw badRequest('features must be an object');
  for (const [feature, list] of Object.entries(raw.features ?? {})) {
    const values = strings(list, `feature ${feature}`);
    // The newer feature syntax goes to `features2` (index format v2), so older cargo skips it.
    if (values.some((v) => v.startsWith('dep:') || v.includes('?/'))) features2[feature] = values;
    else features[feature] = values;
  }
  const links = typeof raw.links === 'string' ? raw.links : null;
  const rustVersion = typeof raw.rust_version === 'string' ? raw.rust_version : undefined;
  const v2 = Object.keys(features2).length > 0;
  return {
    name,
    vers,
    description: typeof raw.description === 'string' ? raw.description : null,
    entry: (cksum) => ({
      name,
      vers,
      deps,
      cksum,
      features,
      ...(v2 ? { features2 } : {}),
      yanked: false,
      links,
      ...(rustVersion === undefined ? {} : { rust_version: rustVersion }),
      v: v2 ? 2 : 1,
    }),
  };
}
