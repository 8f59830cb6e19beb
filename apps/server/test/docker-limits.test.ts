import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient, HOSTED_DOCKER_TOML, OCI_MANIFEST, sha256 } from './helpers/docker.js';
import { useDepot } from './helpers/use-depot.js';

// Size limits on Docker uploads and manifests, against a real server: a limit holds for every
// upload encoding, an over-limit upload leaves nothing behind, and the server keeps serving.
const MIB = 1024 * 1024;

const depot = useDepot({ toml: HOSTED_DOCKER_TOML });
const { client } = depot;
const { auth, pushBlob } = dockerClient(() => depot);
afterEach(async () => {
  expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
});

type OciBody = { errors: { code: string; detail?: unknown; message: string }[] };
const ociCode = async (res: Response): Promise<string | undefined> => ((await res.json()) as OciBody).errors[0]?.code;

/** Every file under the blob store root (committed blobs and temp files alike). */
function storedFiles(): string[] {
  const root = join(depot.dataDir, 'blobs');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Waits until the blob store holds `count` files again (deletes may finish after the answer). */
async function expectStoredCount(count: number): Promise<void> {
  for (let i = 0; i < 50 && storedFiles().length !== count; i++) await new Promise((r) => setTimeout(r, 100));
  expect(storedFiles()).toHaveLength(count);
}

/** A body sent with chunked transfer encoding (no Content-Length), in `pieces` parts. */
function streamed(bytes: Buffer, pieces = 4): RequestInit {
  const size = Math.ceil(bytes.byteLength / pieces);
  const chunks = (async function* () {
    for (let at = 0; at < bytes.byteLength; at += size) yield new Uint8Array(bytes.subarray(at, at + size));
  })();
  return { body: Readable.toWeb(Readable.from(chunks)) as ReadableStream, duplex: 'half' } as RequestInit;
}

async function openUpload(name: string): Promise<string> {
  const res = await fetch(`${depot.url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers: auth() });
  expect(res.status).toBe(202);
  return res.headers.get('location') ?? '';
}

const patchChunk = (location: string, bytes: Buffer, offset: number | null): Promise<Response> =>
  fetch(`${depot.url}${location}`, {
    method: 'PATCH',
    headers: {
      ...auth(),
      'content-type': 'application/octet-stream',
      ...(offset === null ? {} : { 'content-range': `${offset}-${offset + bytes.byteLength - 1}` }),
    },
    body: bytes,
  });

describe('max_artifact_bytes holds for every Docker upload encoding', () => {
  const KB900 = 900 * 1000;
  const chunk = (n: number) => Buffer.alloc(KB900, n);
  const whole = Buffer.concat([chunk(1), chunk(2), chunk(3)]);
  const digest = sha256(whole);

  beforeAll(async () => {
    expect((await client.patch('/api/v1/settings', { max_artifact_bytes: MIB })).status).toBe(200);
  });
  afterAll(async () => {
    await client.patch('/api/v1/settings', { max_artifact_bytes: 32 * 1024 ** 3 });
  });

  /**
   * After a refused upload: no blob and no session (its parts go with it; their bytes are left to
   * blob GC, deduplicated by content, so the blob store's file count is not checked here).
   */
  async function expectNothingLeft(location: string): Promise<void> {
    const head = await fetch(`${depot.url}/v2/docker/big/blobs/${digest}`, { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(404);
    const session = await fetch(`${depot.url}${location}`, { headers: auth() });
    expect(session.status).toBe(404);
    expect(await ociCode(session)).toBe('BLOB_UPLOAD_UNKNOWN');
  }

  it('chunked PATCHes with Content-Range: the chunk that passes the limit is 413 SIZE_INVALID', async () => {
    const location = await openUpload('docker/big');
    expect((await patchChunk(location, chunk(1), 0)).status).toBe(202);
    const second = await patchChunk(location, chunk(2), KB900);
    expect(second.status).toBe(413);
    expect(await ociCode(second)).toBe('SIZE_INVALID');
    await expectNothingLeft(location);
  });

  it('streamed PATCHes without Content-Range or Content-Length: refused while the total passes the limit', async () => {
    const location = await openUpload('docker/big');
    const first = await fetch(`${depot.url}${location}`, { method: 'PATCH', headers: auth(), ...streamed(chunk(1)) });
    expect(first.status).toBe(202);
    const second = await fetch(`${depot.url}${location}`, { method: 'PATCH', headers: auth(), ...streamed(chunk(2)) });
    expect(second.status).toBe(413);
    expect(await ociCode(second)).toBe('SIZE_INVALID');
    await expectNothingLeft(location);
  });

  it('a final PUT whose body takes the total past the limit is 413 and stores no blob', async () => {
    const location = await openUpload('docker/big');
    expect((await patchChunk(location, chunk(1), 0)).status).toBe(202);
    const put = await fetch(`${depot.url}${location}?digest=${digest}`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      ...streamed(chunk(2)),
    });
    expect(put.status).toBe(413);
    expect(await ociCode(put)).toBe('SIZE_INVALID');
    await expectNothingLeft(location);
  });

  it('monolithic POST and PUT over the limit are 413 SIZE_INVALID', async () => {
    const before = storedFiles().length;
    const post = await fetch(`${depot.url}/v2/docker/big/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      ...streamed(whole),
    });
    expect(post.status).toBe(413);
    expect(await ociCode(post)).toBe('SIZE_INVALID');
    const location = await openUpload('docker/big');
    const put = await fetch(`${depot.url}${location}?digest=${digest}`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: whole,
    });
    expect(put.status).toBe(413);
    expect(await ociCode(put)).toBe('SIZE_INVALID');
    const head = await fetch(`${depot.url}/v2/docker/big/blobs/${digest}`, { method: 'HEAD', headers: auth() });
    expect(head.status).toBe(404);
    await expectStoredCount(before);
  });

  it('uploads up to the limit still succeed, chunked too', async () => {
    const bytes = Buffer.alloc(MIB, 9);
    const location = await openUpload('docker/big');
    expect((await patchChunk(location, bytes.subarray(0, MIB / 2), 0)).status).toBe(202);
    expect((await patchChunk(location, bytes.subarray(MIB / 2), MIB / 2)).status).toBe(202);
    const put = await fetch(`${depot.url}${location}?digest=${sha256(bytes)}`, { method: 'PUT', headers: auth() });
    expect(put.status).toBe(201);
  });
});

describe('manifest checks', () => {
  const layerBytes = Buffer.alloc(100, 5);
  const configBytes = '{"architecture":"amd64","os":"linux"}';

  async function putManifest(ref: string, init: RequestInit): Promise<Response> {
    return fetch(`${depot.url}/v2/docker/sized/manifests/${ref}`, {
      ...init,
      method: 'PUT',
      headers: { ...auth(), 'content-type': OCI_MANIFEST },
    });
  }

  async function manifestWith(layerSize: unknown): Promise<string> {
    const config = await pushBlob('docker/sized', configBytes);
    const layer = await pushBlob('docker/sized', layerBytes);
    return JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layerSize }],
    });
  }

  it('a descriptor size that disagrees with the stored blob is 400 MANIFEST_INVALID naming the digest', async () => {
    const res = await putManifest('wrong-size', { body: await manifestWith(999_999) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as OciBody;
    expect(body.errors[0]?.code).toBe('MANIFEST_INVALID');
    expect(JSON.stringify(body.errors[0]?.detail)).toContain(sha256(layerBytes));
    const get = await fetch(`${depot.url}/v2/docker/sized/manifests/wrong-size`, {
      headers: { ...auth(), accept: OCI_MANIFEST },
    });
    expect(get.status).toBe(404);
  });

  it('negative and non-integer descriptor sizes are 400 MANIFEST_INVALID', async () => {
    for (const size of [-1, 1.5, '100', 2 ** 60]) {
      const res = await putManifest('bad-size', { body: await manifestWith(size) });
      expect(res.status, String(size)).toBe(400);
      expect(await ociCode(res)).toBe('MANIFEST_INVALID');
    }
    const ok = await putManifest('good-size', { body: await manifestWith(100) });
    expect(ok.status).toBe(201);
  });

  it('manifests over 4 MiB are 413 SIZE_INVALID, with Content-Length or streamed; 4 MiB of padding is fine', async () => {
    const padded = (total: number, base: string): Buffer => {
      const doc = JSON.parse(base) as Record<string, unknown>;
      const empty = Buffer.byteLength(JSON.stringify({ ...doc, annotations: { pad: '' } }));
      return Buffer.from(JSON.stringify({ ...doc, annotations: { pad: 'x'.repeat(total - empty) } }));
    };
    const base = await manifestWith(100);
    const atLimit = padded(4 * MIB, base);
    expect(atLimit.byteLength).toBe(4 * MIB);
    expect((await putManifest('at-limit', { body: atLimit })).status).toBe(201);
    const over = padded(4 * MIB + 1, base);
    const declared = await putManifest('over-limit', { body: over });
    expect(declared.status).toBe(413);
    expect(await ociCode(declared)).toBe('SIZE_INVALID');
    const chunked = await putManifest('over-limit', streamed(padded(20 * 1000 * 1000, base), 40));
    expect(chunked.status).toBe(413);
    expect(await ociCode(chunked)).toBe('SIZE_INVALID');
    const get = await fetch(`${depot.url}/v2/docker/sized/manifests/over-limit`, {
      headers: { ...auth(), accept: OCI_MANIFEST },
    });
    expect(get.status).toBe(404);
  });
});
