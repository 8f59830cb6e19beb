import { badRequest } from '@depot/core';

/** A parsed module version `vMAJOR.MINOR.PATCH[-pre][+build]`. */
export interface GoVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers (empty for a release). */
  readonly pre: readonly string[];
  /** Build metadata, `incompatible` or empty. */
  readonly build: string;
}

const NUM = '0|[1-9][0-9]*';
const IDENT = '[0-9A-Za-z-]+';
const VERSION = new RegExp(
  `^v(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?$`,
);

/** Parses a canonical module version; `null` when it is not one (`v1.2` and `v1` are not canonical). */
export function parseVersion(version: string): GoVersion | null {
  if (version.length > 256) return null;
  const m = VERSION.exec(version);
  if (m === null) return null;
  const pre = m[4] === undefined ? [] : m[4].split('.');
  // Numeric pre-release identifiers have no leading zeros (semver).
  if (pre.some((p) => /^[0-9]+$/.test(p) && p.length > 1 && p.startsWith('0'))) return null;
  const build = m[5] ?? '';
  // Module versions carry no build metadata except `+incompatible`.
  if (build !== '' && build !== 'incompatible') return null;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  return { major, minor, patch, pre, build };
}

/** Whether `version` is a pseudo-version (`vX.Y.Z-[pre.]yyyymmddhhmmss-abcdefabcdef`). */
export function isPseudoVersion(version: string): boolean {
  return /^v[0-9]+\.(0\.0-|[0-9]+\.[0-9]+-([^+]*\.)?0\.)[0-9]{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+)?$/.test(version);
}

function compareIdent(a: string, b: string): number {
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence as the go command orders versions (build metadata ignored); negative, 0 or positive. */
export function compareVersions(a: GoVersion, b: GoVersion): number {
  for (const key of ['major', 'minor', 'patch'] as const) if (a[key] !== b[key]) return a[key] - b[key];
  if (a.pre.length === 0 || b.pre.length === 0) return (b.pre.length === 0 ? 0 : 1) - (a.pre.length === 0 ? 0 : 1) || 0;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const c = compareIdent(a.pre[i] as string, b.pre[i] as string);
    if (c !== 0) return c;
  }
  return a.pre.length - b.pre.length;
}

/** `versions` (valid ones only) in ascending semver order; ties by string for a stable order. */
export function sortVersions(versions: Iterable<string>): string[] {
  const parsed: { v: string; p: GoVersion }[] = [];
  for (const v of new Set(versions)) {
    const p = parseVersion(v);
    if (p !== null) parsed.push({ v, p });
  }
  parsed.sort((x, y) => compareVersions(x.p, y.p) || (x.v < y.v ? -1 : x.v > y.v ? 1 : 0));
  return parsed.map((x) => x.v);
}

/**
 * Checks `version` for module `path`: canonical semver, the major version agreeing with the path's
 * `/vN` suffix, `+incompatible` only for v2+ without a suffix. `BAD_REQUEST` naming the problem.
 */
export function requireVersionFor(path: string, version: string, pathMajor: number | null): GoVersion {
  const v = parseVersion(version);
  if (v === null) throw badRequest(`invalid module version: ${version}`, { field: 'version' });
  if (v.build === 'incompatible') {
    if (pathMajor !== null || v.major < 2) {
      throw badRequest(`+incompatible is only for v2 or later of a module without a /vN suffix: ${version}`, {
        field: 'version',
      });
    }
    return v;
  }
  if (pathMajor === null ? v.major > 1 : v.major !== pathMajor) {
    throw badRequest(`version ${version} does not match the major version of module ${path}`, { field: 'version' });
  }
  return v;
}
