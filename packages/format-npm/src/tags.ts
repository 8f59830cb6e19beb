import { badRequest } from '@depot/core';
import semver from 'semver';

const TAG = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/;
/** Names that reach an object's prototype machinery: never a dist-tag. */
const RESERVED_TAGS = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether `tag` is a dist-tag name Depot accepts (see {@link validateTag}). */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag) && !RESERVED_TAGS.has(tag) && semver.validRange(tag) === null;
}

/**
 * The one dist-tag check of every route (publish, `dist-tag add`, packument PUT): a letter, then
 * letters, digits, `.`, `_`, `-`; not a version or range (`1.x`), else installs become ambiguous;
 * not `constructor`/`prototype`/`__proto__`.
 */
export function validateTag(tag: string): string {
  if (!isValidTag(tag)) throw badRequest(`invalid dist-tag ${JSON.stringify(tag)}`);
  return tag;
}

/** An empty dictionary for keys that come from users: no prototype, so no key can poison it. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
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
