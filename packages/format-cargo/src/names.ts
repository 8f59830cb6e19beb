import { badRequest } from '@depot/core';

/** Names cargo and crates.io refuse: Rust's own crates and Windows device names. */
const RESERVED = new Set([
  'alloc',
  'core',
  'proc_macro',
  'std',
  'test',
  'build',
  'deps',
  'examples',
  'src',
  'target',
  'tests',
  'con',
  'prn',
  'aux',
  'nul',
  'com1',
  'com2',
  'com3',
  'com4',
  'com5',
  'com6',
  'com7',
  'com8',
  'com9',
  'lpt1',
  'lpt2',
  'lpt3',
  'lpt4',
  'lpt5',
  'lpt6',
  'lpt7',
  'lpt8',
  'lpt9',
]);

/** Longest crate name (crates.io's limit). */
export const MAX_NAME_LENGTH = 64;

/**
 * Checks a crate name as crates.io does: ASCII letters, digits, `-` and `_`, starting with a
 * letter, at most 64 characters, not a reserved name. `BAD_REQUEST` naming the rule otherwise.
 */
export function requireCrateName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw badRequest(`crate name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw badRequest(
      `invalid crate name "${name.slice(0, 80)}": ASCII letters, digits, - and _, starting with a letter`,
    );
  }
  if (RESERVED.has(identity(name))) throw badRequest(`crate name "${name}" is reserved`);
}

/** The identity of a name: case-insensitive, `-` and `_` equal (two names alike here are one crate). */
export const identity = (name: string): string => name.toLowerCase().replaceAll('-', '_');

/** The sparse-index path of `name` (lower-cased): `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`. */
export function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length === 1) return `1/${n}`;
  if (n.length === 2) return `2/${n}`;
  if (n.length === 3) return `3/${n[0]}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

/** The crate name an index path names, or `null` when the path is not where that name lives. */
export function nameOfIndexPath(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === '' || !/^[a-z0-9_-]+$/.test(name)) return null;
  return indexPath(name) === path ? name : null;
}

/**
 * Where a version's `.crate` is stored. A hosted repository adds the file's SHA-256 (`cksum`), so
 * two publishes racing for one version never write the same path: the index decides which one
 * the version is, and the other's file is removed. A cache stores the upstream's under the plain name.
 */
export const cratePath = (name: string, version: string, cksum?: string): string =>
  `crates/${name.toLowerCase()}/${name.toLowerCase()}-${version}${cksum === undefined ? '' : `-${cksum}`}.crate`;
