/**
 * Extension → media type for artifacts uploaded without a content type. A small internal table on
 * purpose: artifact repositories see a known set of file kinds, and a wrong guess is harmless
 * (clients that care send their own type).
 */
const TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  asc: 'text/plain; charset=utf-8',
  sha1: 'text/plain; charset=utf-8',
  sha256: 'text/plain; charset=utf-8',
  sha512: 'text/plain; charset=utf-8',
  md5: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  xml: 'application/xml',
  pom: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  tgz: 'application/gzip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  bz2: 'application/x-bzip2',
  xz: 'application/x-xz',
  zst: 'application/zstd',
  zip: 'application/zip',
  jar: 'application/java-archive',
  war: 'application/java-archive',
  whl: 'application/zip',
  egg: 'application/zip',
  nupkg: 'application/zip',
  crate: 'application/gzip',
  deb: 'application/vnd.debian.binary-package',
  rpm: 'application/x-rpm',
  apk: 'application/vnd.android.package-archive',
  iso: 'application/x-iso9660-image',
  pdf: 'application/pdf',
  wasm: 'application/wasm',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
};

/** The fallback for unknown and missing extensions. */
const DEFAULT_TYPE = 'application/octet-stream';

/** Guesses a media type from the last extension of `path` (case-insensitive). */
export function guessContentType(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_TYPE;
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_TYPE;
}
