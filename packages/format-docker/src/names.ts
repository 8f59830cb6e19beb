import { ociError } from './errors.js';

/** OCI distribution-spec name grammar (path components separated by `/`). */
const NAME_RE = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
/** OCI tag grammar. */
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Digests Depot accepts: sha256 and sha512, lowercase hex of the right length. */
const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** Names longer than this are refused (distribution's limit). */
const MAX_NAME_LENGTH = 255;

/** A parsed digest. */
export interface Digest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
  /** `algorithm:hex`. */
  readonly text: string;
}

/** True when `ref` looks like a digest (has an algorithm prefix), valid or not. */
export const looksLikeDigest = (ref: string): boolean => ref.includes(':');

/** Parses a digest; anything else is `DIGEST_INVALID`. */
export function parseDigest(text: string): Digest {
  if (!DIGEST_RE.test(text))
    throw ociError('DIGEST_INVALID', 'invalid or unsupported digest', { detail: { digest: text } });
  const [algorithm, hex] = text.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex, text };
}

/** Validates an image name against the OCI grammar; `NAME_INVALID` otherwise. */
export function checkImageName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME_RE.test(name)) {
    throw ociError('NAME_INVALID', 'invalid repository name', { detail: { name } });
  }
}

/** Validates a tag; `TAG_INVALID` otherwise. */
export function checkTag(tag: string): void {
  if (!TAG_RE.test(tag)) throw ociError('TAG_INVALID', 'invalid tag', { detail: { tag } });
}

/** The endpoints under `/v2/<name>/`. */
export type ImageRoute =
  | { readonly kind: 'manifest'; readonly reference: string }
  | { readonly kind: 'blob'; readonly digest: string }
  | { readonly kind: 'upload'; readonly uuid: string | null }
  | { readonly kind: 'tags' }
  | { readonly kind: 'referrers'; readonly digest: string };

/** A mount path, classified. `name` is the name as the client wrote it. */
export type MountRoute =
  | { readonly kind: 'base' }
  | { readonly kind: 'token' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'image'; readonly name: string; readonly route: ImageRoute };

const IMAGE_ROUTE_RE =
  /^\/v2\/(.+)\/(manifests\/[^/]+|blobs\/uploads\/?[^/]*|blobs\/[^/]+|tags\/list|referrers\/[^/]+)$/;

function imageRoute(tail: readonly string[]): ImageRoute {
  const [head, second, third] = tail as [string, string, string | undefined];
  if (head === 'manifests') return { kind: 'manifest', reference: second };
  if (head === 'tags') return { kind: 'tags' };
  if (head === 'referrers') return { kind: 'referrers', digest: second };
  if (second === 'uploads') return { kind: 'upload', uuid: third === undefined || third === '' ? null : third };
  return { kind: 'blob', digest: second };
}

/**
 * Classifies a `/v2/…` request path (already without query string); `null` when no route matches.
 * The route is matched on the path as sent and each piece decoded after, so an encoded `/` inside a
 * reference (`sha256:..%2F..%2Fx`) stays in that reference and fails its own grammar check.
 */
export function parseMountPath(rawPath: string): MountRoute | null {
  if (rawPath === '/v2' || rawPath === '/v2/') return { kind: 'base' };
  if (rawPath === '/v2/token') return { kind: 'token' };
  if (rawPath === '/v2/_catalog') return { kind: 'catalog' };
  const m = IMAGE_ROUTE_RE.exec(rawPath);
  if (m === null) return null;
  try {
    const tail = (m[2] as string).split('/').map(decodeURIComponent);
    return { kind: 'image', name: decodeURIComponent(m[1] as string), route: imageRoute(tail) };
  } catch {
    return null;
  }
}
