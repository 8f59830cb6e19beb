import { badRequest } from '@depot/core';

/** npm's limit on package name length (validate-npm-package-name). */
export const MAX_NAME_LENGTH = 214;

const BLOCKED_NAMES = new Set(['node_modules', 'favicon.ico']);
/** Characters npm refuses in new package names (validate-npm-package-name "special characters"). */
const SPECIAL = /[~'!()*]/;

function validPart(part: string): boolean {
  return (
    part.length > 0 &&
    !part.startsWith('.') &&
    !part.startsWith('_') &&
    part.trim() === part &&
    part.toLowerCase() === part &&
    !SPECIAL.test(part) &&
    encodeURIComponent(part) === part
  );
}

/**
 * Validates a package name by npm's rules for new packages: lowercase, ≤ 214 characters, URL-safe,
 * no leading `.` or `_`, `@scope/name` for scoped packages. Throws `BAD_REQUEST`.
 */
export function validatePackageName(name: string): string {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw badRequest('invalid package name: length');
  if (BLOCKED_NAMES.has(name)) throw badRequest('invalid package name: blocked name');
  if (name.startsWith('@')) {
    const parts = name.slice(1).split('/');
    if (parts.length !== 2 || !validPart(parts[0] ?? '') || !validPart(parts[1] ?? '')) {
      throw badRequest('invalid package name: scoped name must be @scope/name, lowercase and url-safe');
    }
    return name;
  }
  if (!validPart(name)) throw badRequest('invalid package name: must be lowercase, url-safe, not start with . or _');
  return name;
}

/** The part after the scope: `@a/b` → `b`. */
export function unscopedName(name: string): string {
  const slash = name.indexOf('/');
  return slash === -1 ? name : name.slice(slash + 1);
}

/** The canonical tarball file name npm uses: `{unscoped}-{version}.tgz`. */
export function tarballFileName(name: string, version: string): string {
  return `${unscopedName(name)}-${version}.tgz`;
}

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+~-]*\.tgz$/;

/** Whether a tarball file name is one path segment of safe characters ending in `.tgz`. */
export function isSafeTarballFile(file: string): boolean {
  return SAFE_FILE.test(file) && !file.includes('..');
}

/** The storage path of a tarball inside a repository: `{name}/-/{file}`. */
export function tarballPath(name: string, file: string): string {
  return `${name}/-/${file}`;
}

/** The npm URL form of a name: `@scope%2fname` (as the CLI requests it). */
export function escapeName(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}
