/**
 * Name globs (RBAC grants on repository names, Docker's immutable tag patterns): `*` matches any
 * run of characters (including none), `?` exactly one; everything else is literal. Matching is
 * anchored and case-sensitive. No regular expressions: the matcher is a two-pointer walk whose
 * time is bounded by `glob.length × name.length`, so a hostile glob cannot cause catastrophic
 * backtracking.
 */

/** Longest glob a role may hold; longer ones are refused when the role is saved. */
export const MAX_GLOB_LENGTH = 256;

/** Characters a glob may contain: repository-name characters plus the two wildcards. */
const GLOB_PATTERN = /^[A-Za-z0-9._*?-]+$/;

/** A compiled glob. */
export type GlobMatcher = (name: string) => boolean;

const cache = new Map<string, GlobMatcher>();
const CACHE_LIMIT = 10_000;

/** Why `glob` is not a valid grant pattern, or `null` when it is. */
export function globProblem(glob: string): string | null {
  if (glob.length === 0) return 'must not be empty';
  if (glob.length > MAX_GLOB_LENGTH) return `must be at most ${MAX_GLOB_LENGTH} characters`;
  if (!GLOB_PATTERN.test(glob)) return 'may contain only letters, digits, ".", "_", "-", "*" and "?"';
  return null;
}

function wildcardMatch(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let starG = -1;
  let starN = 0;
  while (n < name.length) {
    const c = glob[g];
    if (c === '*') {
      starG = g++;
      starN = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      g++;
      n++;
    } else if (starG >= 0) {
      // Backtrack: let the last `*` swallow one more character.
      g = starG + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

function compile(glob: string): GlobMatcher {
  if (glob === '*') return () => true;
  if (!glob.includes('*') && !glob.includes('?')) return (name) => name === glob;
  const lastStar = glob.lastIndexOf('*');
  if (lastStar === glob.length - 1 && glob.indexOf('*') === lastStar && !glob.includes('?')) {
    const prefix = glob.slice(0, -1);
    return (name) => name.startsWith(prefix);
  }
  return (name) => wildcardMatch(glob, name);
}

/** The matcher for `glob`, compiled once and cached. An invalid glob matches nothing. */
export function compileGlob(glob: string): GlobMatcher {
  let matcher = cache.get(glob);
  if (matcher === undefined) {
    matcher = globProblem(glob) === null ? compile(glob) : () => false;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(glob, matcher);
  }
  return matcher;
}

/** Whether `name` matches `glob`. */
export const globMatches = (glob: string, name: string): boolean => compileGlob(glob)(name);
