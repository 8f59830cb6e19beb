import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFormatHarness, type FormatHarness, type FormatHarnessOptions } from '@depot/testkit';
import { expect } from 'vitest';
import { dockerFormat } from '../src/index.js';

/** A harness over the Docker format with repositories `hosted` and `other` (plus any given). */
export async function dockerHarness(
  options: Omit<FormatHarnessOptions, 'format'> = {},
  repos: readonly Parameters<FormatHarness['createRepo']>[0][] = [],
): Promise<FormatHarness> {
  const h = await createFormatHarness({ format: dockerFormat(), ...options });
  await h.createRepo({ name: 'hosted' });
  await h.createRepo({ name: 'other' });
  for (const r of repos) await h.createRepo(r);
  return h;
}

export const sha256 = (bytes: Uint8Array | string): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const sha512 = (bytes: Uint8Array | string): string =>
  `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

/** Expects an OCI error body with `code`. */
export function expectOci(res: { status: number; json<T>(): T }, status: number, code: string): void {
  expect(res.status).toBe(status);
  const body = res.json<{ errors: { code: string }[] }>();
  expect(body.errors[0]?.code).toBe(code);
}

/** Pushes a blob monolithically; returns its digest. */
export async function pushBlob(h: FormatHarness, name: string, bytes: Uint8Array | string): Promise<string> {
  const digest = sha256(bytes);
  const res = await h.mount({ method: 'POST', rawPath: `/v2/${name}/blobs/uploads/`, query: { digest }, body: bytes });
  expect(res.status).toBe(201);
  return digest;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** An image manifest over blobs already pushed. */
export function imageManifest(
  config: { digest: string; size: number },
  layers: readonly { digest: string; size: number }[],
  extra: Record<string, unknown> = {},
  mediaType = OCI_MANIFEST,
): string {
  const configType =
    mediaType === DOCKER_MANIFEST
      ? 'application/vnd.docker.container.image.v1+json'
      : 'application/vnd.oci.image.config.v1+json';
  const layerType =
    mediaType === DOCKER_MANIFEST
      ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
      : 'application/vnd.oci.image.layer.v1.tar+gzip';
  return JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configType, ...config },
    layers: layers.map((l) => ({ mediaType: layerType, ...l })),
    ...extra,
  });
}

/** Pushes a small image (one config, one layer) and tags it; returns the manifest and digests. */
export async function pushImage(
  h: FormatHarness,
  name: string,
  tag: string,
  options: { mediaType?: string; extra?: Record<string, unknown>; seed?: string } = {},
) {
  const configBytes = JSON.stringify({ architecture: 'amd64', os: 'linux', seed: options.seed ?? tag });
  const layerBytes = `layer of ${name}:${tag}:${options.seed ?? ''}`;
  const config = { digest: await pushBlob(h, name, configBytes), size: Buffer.byteLength(configBytes) };
  const layer = { digest: await pushBlob(h, name, layerBytes), size: Buffer.byteLength(layerBytes) };
  const mediaType = options.mediaType ?? OCI_MANIFEST;
  const manifest = imageManifest(config, [layer], options.extra, mediaType);
  const res = await h.mount({
    method: 'PUT',
    rawPath: `/v2/${name}/manifests/${tag}`,
    headers: { 'content-type': mediaType },
    body: manifest,
  });
  expect(res.status, res.text()).toBe(201);
  return { manifest, digest: sha256(manifest), config, layer, layerBytes, mediaType };
}

/** Requests a stand-in upstream saw: path and Authorization. */
export type Seen = { path: string; authorization: string | undefined }[];
/** What a stand-in upstream answers. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string };

/** A stand-in upstream registry on 127.0.0.1 answering every request with `handler`. */
export async function serve(handler: (req: IncomingMessage, seen: Seen) => Reply) {
  const seen: Seen = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const out = handler(req, seen);
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}
