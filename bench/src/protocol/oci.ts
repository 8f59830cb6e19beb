import { type Endpoint, getDrain, send } from '../http/client.js';
import { bodyOf, type Payload } from '../payload/payload.js';

/** OCI image manifest media type. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const ACCEPT = [OCI_MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

/**
 * How blobs are uploaded (OCI distribution-spec "Pushing blobs"): `post` is the single monolithic
 * `POST /v2/<name>/blobs/uploads/?digest=` with the body; `post-put` opens a session with an empty
 * POST and sends the whole body with `PUT <location>?digest=` (what registries without monolithic
 * POST, such as distribution 2.8, require).
 */
export type UploadMode = 'post' | 'post-put';

/** A repository name on a registry, e.g. `bench-docker/app` (Depot: repo/image) or `bench/app`. */
export interface OciRepo {
  readonly ep: Endpoint;
  readonly name: string;
}

/** Uploads one blob; returns the bytes sent. */
export async function pushBlob(r: OciRepo, digest: string, p: Payload, mode: UploadMode): Promise<number> {
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(p.size) };
  if (mode === 'post') {
    await send(r.ep, 'POST', `/v2/${r.name}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
      body: bodyOf(p),
      headers,
      expect: [201],
    });
    return p.size;
  }
  const open = await send(r.ep, 'POST', `/v2/${r.name}/blobs/uploads/`, { expect: [202] });
  const location = open.headers.location;
  if (typeof location !== 'string') throw new Error('upload session without Location');
  const url = new URL(location, 'http://placeholder');
  url.searchParams.set('digest', digest);
  await send(r.ep, 'PUT', `${url.pathname}${url.search}`, { body: bodyOf(p), headers, expect: [201] });
  return p.size;
}

/** A descriptor of a blob inside a manifest. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** Builds OCI image manifest JSON for a config and layers, with optional annotations (to make it unique). */
export function imageManifest(
  config: { digest: string; size: number },
  layers: readonly { digest: string; size: number }[],
  annotations?: Record<string, string>,
): string {
  const m = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
    ...(annotations ? { annotations } : {}),
  };
  return JSON.stringify(m);
}

/** PUTs a manifest under `reference` (a tag or digest); returns the bytes sent. */
export async function putManifest(r: OciRepo, reference: string, json: string): Promise<number> {
  await send(r.ep, 'PUT', `/v2/${r.name}/manifests/${reference}`, {
    body: json,
    headers: { 'content-type': OCI_MANIFEST },
    expect: [201],
  });
  return Buffer.byteLength(json);
}

/** GETs a manifest and returns its text. */
export async function getManifest(r: OciRepo, reference: string): Promise<string> {
  const res = await send(r.ep, 'GET', `/v2/${r.name}/manifests/${reference}`, {
    headers: { accept: ACCEPT },
    text: true,
  });
  return res.text;
}

/** GETs a blob, drains it and returns the bytes received. */
export async function getBlob(r: OciRepo, digest: string): Promise<number> {
  return getDrain(r.ep, `/v2/${r.name}/blobs/${digest}`);
}

/** Pulls an image by tag: the manifest, then its config and layers. Returns the bytes received. */
export async function pullImage(r: OciRepo, tag: string): Promise<number> {
  const text = await getManifest(r, tag);
  const m = JSON.parse(text) as { config: Descriptor; layers: Descriptor[] };
  let bytes = Buffer.byteLength(text);
  for (const d of [m.config, ...m.layers]) bytes += await getBlob(r, d.digest);
  return bytes;
}
