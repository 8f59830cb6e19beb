/** Manifest media types Depot stores and serves. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Every manifest type accepted on PUT, and asked for upstream. */
export const MANIFEST_TYPES: readonly string[] = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST];

/** True for the index kinds (children are manifests, not blobs). */
export const isIndexType = (mediaType: string): boolean => mediaType === OCI_INDEX || mediaType === DOCKER_LIST;

/** The bare media type of a Content-Type header (parameters and case dropped). */
export const bareType = (value: string): string => (value.split(';')[0] ?? '').trim().toLowerCase();

/**
 * Whether a client accepts `mediaType`. Every `Accept` line is checked (skopeo sends several, which
 * arrive joined by commas); no Accept at all accepts anything (prototype-inventory §10.4).
 */
export function accepts(acceptHeader: string | undefined, mediaType: string): boolean {
  if (acceptHeader === undefined || acceptHeader.trim() === '') return true;
  const wanted = mediaType.toLowerCase();
  return acceptHeader.split(',').some((part) => {
    const t = bareType(part);
    return t === wanted || t === '*/*' || t === 'application/*';
  });
}
