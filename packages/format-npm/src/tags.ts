import { badRequest } from '@depot/core';
import semver from 'semver';

const TAG = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/;

/** A dist-tag name must not itself be a version or range (`1.x`), else installs become ambiguous. */
export function validateTag(tag: string): string {
  if (!TAG.test(tag) || semver.validRange(tag) !== null) throw badRequest(`invalid dist-tag ${JSON.stringify(tag)}`);
  return tag;
}

/** A version key must be canonical SemVer (`1.0.0`, not `v1.0.0`, not with stray bytes). */
export function validateVersion(version: unknown): string {
  if (typeof version !== 'string' || version.length > 256 || semver.valid(version) !== version) {
    throw badRequest(`invalid version ${JSON.stringify(version)}`);
  }
  return version;
}

/** The highest version among `versions` (for a missing `latest`). */
export function highestVersion(versions: readonly string[]): string | undefined {
  return [...versions].sort(semver.compareLoose).pop();
}
