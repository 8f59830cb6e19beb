import { badRequest } from '@depot/core';

/** A valid project name (PEP 508 / core metadata `Name`): ASCII letters and digits, `.`, `_`, `-` inside. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** Longest project name accepted. */
const MAX_NAME = 200;
/** A permissive PEP 440 version (public part plus an optional local label). */
const VERSION =
  /^v?(?:\d+!)?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;
/** What a file name may contain: no separators, nothing that needs escaping in HTML. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+!-]*$/;
/** The source distribution extensions accepted. */
export const SDIST_EXTENSIONS = ['.tar.gz', '.zip'] as const;

/** PEP 503 normalization: lower case, every run of `-`, `_` and `.` becomes one `-`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** True for a valid project name. */
export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME && NAME.test(name);
}

/** Throws `BAD_REQUEST` unless `name` is a valid project name; returns it. */
export function validateName(name: string): string {
  if (!isValidName(name)) throw badRequest(`invalid project name: ${JSON.stringify(name.slice(0, 100))}`);
  return name;
}

/** Throws `BAD_REQUEST` unless `version` is a PEP 440 version; returns it. */
export function validateVersion(version: string): string {
  if (version.length > 128 || !VERSION.test(version)) {
    throw badRequest(`invalid version: ${JSON.stringify(version.slice(0, 100))}`);
  }
  return version;
}

/** True for a file name safe to use as one path segment and in HTML. */
export function isSafeFileName(file: string): boolean {
  return file.length <= 255 && FILE_NAME.test(file) && !file.includes('..');
}

/** What a distribution file name says. */
export interface ParsedFileName {
  readonly packagetype: 'bdist_wheel' | 'sdist';
  /** The project part, as spelled in the file name. */
  readonly name: string;
  readonly version: string;
  /** For wheels, the python tag (`py3`); `source` for sdists. */
  readonly pythonVersion: string;
}

/**
 * Parses a wheel (`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`) or an sdist
 * (`{name}-{version}.tar.gz|.zip`) file name. `project` (normalized) disambiguates sdists whose
 * name part holds `-`. `null` when it is neither.
 */
export function parseFileName(file: string, project?: string): ParsedFileName | null {
  if (!isSafeFileName(file)) return null;
  if (file.endsWith('.whl')) {
    const parts = file.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6) return null;
    const [name = '', version = '', ...tags] = parts;
    const python = tags.length === 4 ? tags[1] : tags[0];
    if (tags.length === 4 && !/^\d/.test(tags[0] ?? '')) return null;
    return { packagetype: 'bdist_wheel', name, version, pythonVersion: python ?? '' };
  }
  const ext = SDIST_EXTENSIONS.find((e) => file.endsWith(e));
  if (ext === undefined) return null;
  const stem = file.slice(0, -ext.length);
  const parts = stem.split('-');
  if (parts.length < 2) return null;
  for (let i = 1; i < parts.length; i++) {
    const name = parts.slice(0, i).join('-');
    const version = parts.slice(i).join('-');
    if (project === undefined ? i === parts.length - 1 : normalizeName(name) === project) {
      return { packagetype: 'sdist', name, version, pythonVersion: 'source' };
    }
  }
  return null;
}

/** The artifact path of a hosted distribution file. */
export function filePath(project: string, version: string, file: string): string {
  return `packages/${project}/${version}/${file}`;
}

/** The relative URL of a hosted file, seen from `simple/{project}/`. */
export function fileUrlFromPage(project: string, version: string, file: string): string {
  return `../../packages/${encodeURIComponent(project)}/${encodeURIComponent(version)}/${encodeURIComponent(file)}`;
}
