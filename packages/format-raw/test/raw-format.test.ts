import { createHash } from 'node:crypto';
import { blake3Hex } from '@depot/core';
import { describeFormat, type FormatHarness } from '@depot/testkit';
import { describe, expect, it } from 'vitest';
import { RAW_CHALLENGE, rawFormat } from '../src/index.js';
import { counting, NOW, rawHarnesses } from './raw-helpers.js';

/** Where the suite's artifacts live in a raw repository: `{name}/{version}/payload.bin`. */
const suitePath = (name: string, version: string): string => `${name}/${version}/payload.bin`;
const SUITE_LISTED = /^(.+)\/([^/]+)\/payload\.bin$/;

async function listed(h: FormatHarness, repo: string): Promise<{ name: string; version: string }[]> {
  const page = await h.engine.list(repo);
  return page.artifacts.flatMap((a) => {
    const match = SUITE_LISTED.exec(a.path);
    return match ? [{ name: match[1] ?? '', version: match[2] ?? '' }] : [];
  });
}

describeFormat('raw', {
  format: () => rawFormat(),
  upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: suitePath(a.name, a.version), body: a.bytes }),
  download: (h, repo, a) => h.request({ method: 'GET', repo, path: suitePath(a.name, a.version) }),
  remove: (h, repo, a) => h.request({ method: 'DELETE', repo, path: suitePath(a.name, a.version) }),
  list: listed,
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'no/such/file.bin' }),
  expectedNotFoundShape: (res) => {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  },
  anonymousWrite: { challenge: RAW_CHALLENGE },
  normalization: [
    { upload: './norm//dir', download: 'norm/dir' },
    { upload: 'norm%2Fencoded', download: 'norm/encoded' },
    { upload: 'caf%C3%A9', download: 'café' },
  ],
  duplicatePolicy: 'overwrite',
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const code = (res: { json(): unknown }): unknown => (res.json() as { error: { code: string } }).error.code;

describe('raw PUT / GET / HEAD / DELETE', () => {
  const open = rawHarnesses();
  const bytes = counting(300);

  it('PUT answers 201 with the artifact JSON', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    const res = await h.request({ method: 'PUT', repo: 'files', path: 'dir/file.bin', body: bytes });
    expect(res.status).toBe(201);
    const stamp = new Date(NOW).toISOString();
    expect(res.json()).toEqual({
      path: 'dir/file.bin',
      size: 300,
      content_type: 'application/octet-stream',
      blob_id: expect.any(String),
      content_hash: blake3Hex(bytes),
      etag: blake3Hex(bytes),
      sha256: sha256(bytes),
      created_at: stamp,
      updated_at: stamp,
      last_accessed_at: stamp,
    });
    expect(res.headers.etag).toBe(`"${blake3Hex(bytes)}"`);
  });

  it('GET sends the body with every header; HEAD the same headers without opening the body', async () => {
    const { h, bodyOpens } = await open();
    await h.createRepo({ name: 'files' });
    await h.request({ method: 'PUT', repo: 'files', path: 'dir/notes.txt', body: bytes });
    const expected = {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '300',
      etag: `"${blake3Hex(bytes)}"`,
      'x-checksum-blake3': blake3Hex(bytes),
      'x-checksum-sha256': sha256(bytes),
      'last-modified': 'Tue, 02 Jan 2024 03:04:05 GMT',
      'accept-ranges': 'bytes',
      'content-disposition': 'attachment; filename="notes.txt"',
    };
    const get = await h.request({ method: 'GET', repo: 'files', path: 'dir/notes.txt' });
    expect(get.status).toBe(200);
    expect(get.headers).toEqual(expected);
    expect(get.body.equals(Buffer.from(bytes))).toBe(true);
    const opensAfterGet = bodyOpens();
    const head = await h.request({ method: 'HEAD', repo: 'files', path: 'dir/notes.txt' });
    expect(head.status).toBe(200);
    expect(head.headers).toEqual(expected);
    expect(head.body.byteLength).toBe(0);
    expect(bodyOpens()).toBe(opensAfterGet);
  });

  it('Content-Type: kept when sent, guessed when absent or application/octet-stream', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    const put = async (path: string, headers: Record<string, string>) =>
      (await h.request({ method: 'PUT', repo: 'files', path, body: 'x', headers })).json<{ content_type: string }>()
        .content_type;
    expect(await put('a.json', { 'content-type': 'text/x-custom' })).toBe('text/x-custom');
    expect(await put('b.json', {})).toBe('application/json');
    expect(await put('c.tgz', { 'content-type': 'application/octet-stream' })).toBe('application/gzip');
    expect(await put('d.unknownext', { 'content-type': 'Application/Octet-Stream; x=1' })).toBe(
      'application/octet-stream',
    );
    const got = await h.request({ method: 'GET', repo: 'files', path: 'c.tgz' });
    expect(got.headers['content-type']).toBe('application/gzip');
  });

  it('a zero-byte PUT stores an empty artifact', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    const put = await h.request({ method: 'PUT', repo: 'files', path: 'empty.bin', body: new Uint8Array(0) });
    expect(put.status).toBe(201);
    expect(put.json()).toMatchObject({ size: 0, sha256: sha256(new Uint8Array(0)) });
    const get = await h.request({ method: 'GET', repo: 'files', path: 'empty.bin' });
    expect(get.status).toBe(200);
    expect(get.headers['content-length']).toBe('0');
    expect(get.body.byteLength).toBe(0);
  });

  it('DELETE answers 204, then GET and a second DELETE answer 404', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    await h.request({ method: 'PUT', repo: 'files', path: 'gone.txt', body: 'bye' });
    expect((await h.request({ method: 'DELETE', repo: 'files', path: 'gone.txt' })).status).toBe(204);
    const get = await h.request({ method: 'GET', repo: 'files', path: 'gone.txt' });
    expect([get.status, code(get)]).toEqual([404, 'NOT_FOUND']);
    expect((await h.request({ method: 'DELETE', repo: 'files', path: 'gone.txt' })).status).toBe(404);
  });

  it('rejects an empty path, the repository root and other methods', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    const put = await h.request({ method: 'PUT', repo: 'files', path: '', body: 'x' });
    expect([put.status, code(put)]).toEqual([400, 'BAD_REQUEST']);
    expect((await h.request({ method: 'GET', repo: 'files', path: '/' })).status).toBe(404);
    for (const method of ['POST', 'PATCH', 'OPTIONS', 'TRACE']) {
      const res = await h.request({ method, repo: 'files', path: 'a.txt', body: method === 'TRACE' ? undefined : 'x' });
      expect([method, res.status, code(res)]).toEqual([method, 405, 'NOT_ALLOWED']);
    }
    expect((await h.engine.list('files')).artifacts).toEqual([]);
  });
});
