import { ociError } from './errors.js';
import { bareType, DOCKER_LIST, DOCKER_MANIFEST, isIndexType, MANIFEST_TYPES, OCI_MANIFEST } from './media-types.js';
import { parseDigest } from './names.js';

/** An OCI content descriptor, as found in manifests and the referrers index. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly urls?: readonly string[];
  readonly platform?: unknown;
}

/** What Depot learns from a manifest body: its type and what it points at. */
export interface ManifestInfo {
  readonly mediaType: string;
  /** Config and layer digests that must exist as blobs in the repository. */
  readonly blobs: readonly string[];
  /** Child manifests (indexes only) that must exist in the repository. */
  readonly manifests: readonly string[];
  /** The size each descriptor of `blobs` and `manifests` declares, by digest. */
  readonly sizes: Readonly<Record<string, number>>;
  readonly subject?: Descriptor;
  /** `artifactType`, else the config media type (referrers "artifactType" rule). */
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Deepest JSON nesting accepted (RELIABILITY §4.4 item 57). */
const MAX_DEPTH = 64;

const invalid = (message: string): Error => ociError('MANIFEST_INVALID', message);

function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) throw invalid('manifest nested too deeply');
    } else if (c === 125 || c === 93) depth--;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one descriptor (`what` names it in the error); `MANIFEST_INVALID` when it is not one. */
export function descriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v) || typeof v.mediaType !== 'string' || typeof v.digest !== 'string' || typeof v.size !== 'number') {
    throw invalid(`${what} is not a valid descriptor`);
  }
  if (!Number.isSafeInteger(v.size) || v.size < 0) {
    throw ociError('MANIFEST_INVALID', `${what} has an invalid size`, { detail: { digest: v.digest, size: v.size } });
  }
  try {
    parseDigest(v.digest);
  } catch {
    throw invalid(`${what} has an invalid digest`);
  }
  return v as unknown as Descriptor;
}

/** The declared size of each digest; one digest declared with two sizes is `MANIFEST_INVALID`. */
function sizesOf(descriptors: readonly Descriptor[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const d of descriptors) {
    const seen = sizes[d.digest];
    if (seen !== undefined && seen !== d.size) {
      throw ociError('MANIFEST_INVALID', 'one digest is declared with two sizes', { detail: { digest: d.digest } });
    }
    sizes[d.digest] = d.size;
  }
  return sizes;
}

/** Resolves the type of an uploaded manifest from Content-Type and the body's `mediaType`. */
function resolveType(contentType: string | undefined, doc: Record<string, unknown>): string {
  const header = contentType === undefined ? undefined : bareType(contentType);
  const inBody = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  // CVE-2021-41190: the body's mediaType must agree with the Content-Type it was sent with.
  if (header !== undefined && inBody !== undefined && header !== inBody)
    throw invalid('mediaType does not match Content-Type');
  const type = header ?? inBody ?? OCI_MANIFEST;
  if (!MANIFEST_TYPES.includes(type)) throw invalid(`unsupported manifest media type ${type}`);
  if ((type === DOCKER_MANIFEST || type === DOCKER_LIST) && inBody === undefined)
    throw invalid('Docker manifests need mediaType');
  return type;
}

/** The referrers-API entry of a manifest whose `subject` names another (distribution-spec "Listing Referrers"). */
export function referrerEntry(info: ManifestInfo, digest: string, size: number): Descriptor {
  return {
    mediaType: info.mediaType,
    digest,
    size,
    ...(info.artifactType ? { artifactType: info.artifactType } : {}),
    ...(info.annotations ? { annotations: info.annotations } : {}),
  };
}

/** Parses and validates a manifest body; `MANIFEST_INVALID` on anything malformed or ambiguous. */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ManifestInfo {
  const text = new TextDecoder().decode(bytes);
  checkDepth(text);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isRecord(doc) || doc.schemaVersion !== 2) throw invalid('manifest must be a JSON object with schemaVersion 2');
  const mediaType = resolveType(contentType, doc);
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const annotations = isRecord(doc.annotations) ? (doc.annotations as Record<string, string>) : undefined;
  const base = { mediaType, ...(subject ? { subject } : {}), ...(annotations ? { annotations } : {}) };
  if (isIndexType(mediaType)) {
    if (doc.layers !== undefined || doc.config !== undefined) throw invalid('an index cannot have layers or config');
    if (!Array.isArray(doc.manifests)) throw invalid('an index needs manifests[]');
    const children = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
    const manifests = children.map((c) => c.digest);
    return { ...base, blobs: [], manifests, sizes: sizesOf(children), ...(artifactType ? { artifactType } : {}) };
  }
  if (doc.manifests !== undefined) throw invalid('an image manifest cannot have manifests');
  const config = descriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw invalid('an image manifest needs layers[]');
  const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
  // Non-distributable layers live elsewhere (their `urls`); only local ones must exist here.
  const local = layers.filter((l) => l.urls === undefined || l.urls.length === 0);
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : config.mediaType;
  const blobs = [config.digest, ...local.map((l) => l.digest)];
  return { ...base, blobs, manifests: [], sizes: sizesOf([config, ...local]), artifactType };
}
