import { decodeCase, isValidModulePath } from './module-path.js';

/** A GOPROXY request path, parsed. */
export type GoPath =
  | { readonly kind: 'list'; readonly module: string; readonly encoded: string }
  | { readonly kind: 'latest'; readonly module: string; readonly encoded: string }
  | {
      readonly kind: 'file';
      readonly module: string;
      readonly encoded: string;
      readonly version: string;
      readonly ext: 'info' | 'mod' | 'zip';
    };

/**
 * Parses `{module}/@v/list`, `{module}/@v/{version}.{info,mod,zip}` and `{module}/@latest`, both
 * module and version in `!`-case encoding; `null` for anything else (an invalid encoding included).
 */
export function parseGoPath(path: string): GoPath | null {
  const at = path.lastIndexOf('/@');
  if (at <= 0) return null;
  const encoded = path.slice(0, at);
  const rest = path.slice(at + 1);
  const module = decodeCase(encoded);
  if (module === null || !isValidModulePath(module)) return null;
  if (rest === '@latest') return { kind: 'latest', module, encoded };
  if (rest === '@v/list') return { kind: 'list', module, encoded };
  const m = /^@v\/([^/]+)\.(info|mod|zip)$/.exec(rest);
  if (m === null) return null;
  const version = decodeCase(m[1] as string);
  if (version === null) return null;
  return { kind: 'file', module, encoded, version, ext: m[2] as 'info' | 'mod' | 'zip' };
}

/** Where a version's file is stored (the GOPROXY path itself). */
export const filePath = (encodedModule: string, encodedVersion: string, ext: string): string =>
  `${encodedModule}/@v/${encodedVersion}.${ext}`;

/** The sumdb passthrough prefix. */
export const SUMDB_PREFIX = 'sumdb/';

/** Paths whose content never changes: version files, checksum-database lookups and tiles. */
export function isImmutablePath(path: string): boolean {
  if (path.startsWith(SUMDB_PREFIX)) return /\/(lookup|tile)\//.test(path);
  return /\/@v\/[^/]+\.(info|mod|zip)$/.test(path);
}
