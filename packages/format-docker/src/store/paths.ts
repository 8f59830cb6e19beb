/**
 * Where the Docker format keeps things inside a repository (engine paths) and in KV.
 * Blobs are repository-wide in hosted repos (one copy per digest, BLAKE3 dedup underneath); cache
 * repos keep them under the image because the upstream URL of a blob needs the image name.
 */
export const blobPath = (digest: string): string => `_blobs/${digest}`;
export const cacheBlobPath = (image: string, digest: string): string => `${image}/_blobs/${digest}`;
export const manifestPath = (image: string, digest: string): string => `${image}/_manifests/${digest}`;
export const tagPrefix = (image: string): string => `${image}/_tags/`;
export const tagPath = (image: string, tag: string): string => `${tagPrefix(image)}${tag}`;
export const uploadPrefix = (uuid: string): string => `_uploads/${uuid}/`;
export const uploadPartPath = (uuid: string, index: number): string =>
  `${uploadPrefix(uuid)}${String(index).padStart(6, '0')}`;

/** The image a cache blob path belongs to, and its digest; `null` for other paths. */
export function parseCacheBlobPath(path: string): { image: string; digest: string } | null {
  const at = path.lastIndexOf('/_blobs/');
  if (at <= 0) return null;
  return { image: path.slice(0, at), digest: path.slice(at + '/_blobs/'.length) };
}
