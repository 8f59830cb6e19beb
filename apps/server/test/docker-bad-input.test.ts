import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerClient, HOSTED_DOCKER_TOML, OCI_MANIFEST, sha256 } from './helpers/docker.js';
import { useDepot } from './helpers/use-depot.js';

// RELIABILITY §4.4 "OCI / Docker" (items 51–58), against a real server: each bad input gets a 4xx
// in the OCI error shape, and the server keeps serving.

const depot = useDepot({ toml: HOSTED_DOCKER_TOML });
const { auth, pushBlob } = dockerClient(() => depot);
afterEach(async () => {
  expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
});

/** Sends `path` verbatim (no URL normalisation by the client) and returns the status and OCI error code. */
function raw(method: string, path: string, body = ''): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect(depot.port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => {
      data += d.toString('latin1');
    });
    socket.on('end', () => {
      const status = Number(data.split(' ')[1]);
      const json = data.slice(data.indexOf('\r\n\r\n') + 4);
      let code: string | undefined;
      try {
        const parsed = JSON.parse(json) as { errors?: { code: string }[]; error?: { code: string } };
        code = parsed.errors?.[0]?.code ?? parsed.error?.code;
      } catch {
        code = undefined;
      }
      resolve({ status, code });
    });
    socket.on('error', reject);
    socket.write(
      `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${OCI_MANIFEST}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** Every file under the blob store root (committed blobs and temp files alike). */
function storedFiles(): string[] {
  const root = join(depot.dataDir, 'blobs');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Sends the head and half the body of a `size`-byte upload, then drops the connection. */
function abortHalfway(method: string, path: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(depot.port, '127.0.0.1', () => {
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth().authorization}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(size / 2, 7), () => {
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
    });
    socket.on('error', reject);
  });
}

describe('OCI bad input (RELIABILITY §4.4)', () => {
  it('F1: a client gone mid-upload leaves no blob, temp file or artifact; the upload then succeeds', async () => {
    const size = 8 * 1024 * 1024;
    const bytes = Buffer.alloc(size, 7);
    const digest = sha256(bytes);
    const before = storedFiles();
    await abortHalfway('POST', `/v2/docker/app/blobs/uploads/?digest=${digest}`, size);
    for (let i = 0; i < 50 && storedFiles().length !== before.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(storedFiles()).toEqual(before);
    expect(
      (await fetch(`${depot.url}/v2/docker/app/blobs/${digest}`, { method: 'HEAD', headers: auth() })).status,
    ).toBe(404);
    const retry = await fetch(`${depot.url}/v2/docker/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(retry.status).toBe(201);
    expect(storedFiles()).toHaveLength(before.length + 1);
  });

  it('54: malformed digests → 400 DIGEST_INVALID', async () => {
    const hex = 'a'.repeat(64);
    for (const digest of [
      `sha256:${hex.toUpperCase()}`,
      `sha256:${'a'.repeat(63)}`,
      `md5:${'a'.repeat(32)}`,
      'sha256:..%2F..%2Fx',
      `sha512:${'a'.repeat(64)}`,
    ]) {
      expect(await raw('GET', `/v2/docker/app/blobs/${digest}`), digest).toEqual({
        status: 400,
        code: 'DIGEST_INVALID',
      });
      expect(await raw('POST', `/v2/docker/app/blobs/uploads/?digest=${digest}`, 'x'), digest).toEqual({
        status: 400,
        code: 'DIGEST_INVALID',
      });
    }
  });

  it('55: malformed image names → 400', async () => {
    for (const name of ['Foo', 'a___b', '-a', 'a%2F..%2Fb', `${'a'.repeat(300)}`]) {
      expect(await raw('GET', `/v2/docker/${name}/manifests/v1`), name).toEqual({ status: 400, code: 'NAME_INVALID' });
    }
    // Traversal and empty segments never reach a lookup.
    for (const path of [
      '/v2/docker/../x/manifests/v1',
      '/v2/docker/a/../b/manifests/v1',
      '/v2/docker/a//b/manifests/v1',
    ]) {
      expect((await raw('GET', path)).status, path).toBe(400);
    }
  });

  it('56: malformed tags → 400 TAG_INVALID', async () => {
    for (const tag of ['-leading', 't'.repeat(129), 'tag%20with%20space', '.dot']) {
      expect(await raw('GET', `/v2/docker/app/manifests/${tag}`), tag).toEqual({ status: 400, code: 'TAG_INVALID' });
      expect((await raw('PUT', `/v2/docker/app/manifests/${tag}`, '{}')).status, tag).toBe(400);
    }
  });

  it('57: an oversized or deeply nested manifest → 413 / 400 MANIFEST_INVALID, quickly', async () => {
    const started = Date.now();
    const big = await fetch(`${depot.url}/v2/docker/app/manifests/big`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': OCI_MANIFEST },
      body: Buffer.alloc(40 * 1024 * 1024, 0x20),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('SIZE_INVALID');
    const deep = await fetch(`${depot.url}/v2/docker/app/manifests/deep`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': OCI_MANIFEST },
      body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    });
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('MANIFEST_INVALID');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('58: a subject that does not exist is accepted; its referrers are an empty index', async () => {
    const empty = await pushBlob('docker/app', '{}');
    const missing = sha256('no such manifest');
    const res = await fetch(`${depot.url}/v2/docker/app/manifests/orphan-sig`, {
      method: 'PUT',
      headers: { ...auth(), 'content-type': OCI_MANIFEST },
      body: JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example.sig',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', ...empty }],
        subject: { mediaType: OCI_MANIFEST, digest: missing, size: 10 },
      }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('oci-subject')).toBe(missing);
    const other = await fetch(`${depot.url}/v2/docker/app/referrers/${sha256('unrelated')}`, { headers: auth() });
    expect(other.status).toBe(200);
    expect(((await other.json()) as { manifests: unknown[] }).manifests).toEqual([]);
  });
});
