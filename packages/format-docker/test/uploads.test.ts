import { scopedKv } from '@depot/core';
import type { FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { reapUploadSessions } from '../src/index.js';
import { dockerHarness, expectOci, pushBlob, sha256, sha512 } from './support.js';

let h: FormatHarness;
afterEach(async () => h?.close());

const start = async (name = 'hosted/app') => {
  const res = await h.mount({ method: 'POST', rawPath: `/v2/${name}/blobs/uploads/` });
  expect(res.status).toBe(202);
  return res;
};

describe('blob uploads (distribution-spec "Pushing blobs")', () => {
  it('POST opens a session: 202, Location, Docker-Upload-UUID, Range 0-0', async () => {
    h = await dockerHarness();
    const res = await start();
    const uuid = res.headers['docker-upload-uuid'] ?? '';
    expect(res.headers.location).toBe(`/v2/hosted/app/blobs/uploads/${uuid}`);
    expect(res.headers.range).toBe('0-0');
  });

  it('chunked: PATCH chunks with Content-Range, status GET, final PUT with a last chunk', async () => {
    h = await dockerHarness();
    const loc = (await start()).headers.location ?? '';
    const p1 = await h.mount({ method: 'PATCH', rawPath: loc, headers: { 'content-range': '0-4' }, body: 'hello' });
    expect(p1.status).toBe(202);
    expect(p1.headers.range).toBe('0-4');
    const p2 = await h.mount({ method: 'PATCH', rawPath: loc, headers: { 'content-range': '5-10' }, body: ' world' });
    expect(p2.headers.range).toBe('0-10');
    const status = await h.mount({ method: 'GET', rawPath: loc });
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-10');
    const digest = sha256('hello world!');
    const put = await h.mount({ method: 'PUT', rawPath: loc, query: { digest }, body: '!' });
    expect(put.status).toBe(201);
    expect(put.headers.location).toBe(`/v2/hosted/app/blobs/${digest}`);
    expect(put.headers['docker-content-digest']).toBe(digest);
    const got = await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}` });
    expect(got.text()).toBe('hello world!');
    expectOci(await h.mount({ method: 'GET', rawPath: loc }), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('an out-of-order chunk answers 416 with the current Range', async () => {
    h = await dockerHarness();
    const loc = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: loc, headers: { 'content-range': '0-2' }, body: 'abc' });
    const bad = await h.mount({ method: 'PATCH', rawPath: loc, headers: { 'content-range': '5-7' }, body: 'xyz' });
    expectOci(bad, 416, 'BLOB_UPLOAD_INVALID');
    expect(bad.headers.range).toBe('0-2');
    const digest = sha256('abc');
    expect((await h.mount({ method: 'PUT', rawPath: loc, query: { digest } })).status).toBe(201);
  });

  it('DELETE cancels a session (204) and later use is BLOB_UPLOAD_UNKNOWN', async () => {
    h = await dockerHarness();
    const loc = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: loc, body: 'abc' });
    expect((await h.mount({ method: 'DELETE', rawPath: loc })).status).toBe(204);
    expectOci(await h.mount({ method: 'PATCH', rawPath: loc, body: 'x' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    const parts = await h.engine.list('hosted', { prefix: '_uploads/' });
    expect(parts.artifacts).toEqual([]);
  });

  it('a session of one image is unknown to another', async () => {
    h = await dockerHarness();
    const uuid = (await start()).headers['docker-upload-uuid'];
    expectOci(
      await h.mount({ method: 'GET', rawPath: `/v2/hosted/other/blobs/uploads/${uuid}` }),
      404,
      'BLOB_UPLOAD_UNKNOWN',
    );
  });

  it('digest mismatch → 400 DIGEST_INVALID, nothing stored (monolithic and chunked)', async () => {
    h = await dockerHarness();
    const wrong = sha256('something else');
    expectOci(
      await h.mount({
        method: 'POST',
        rawPath: '/v2/hosted/app/blobs/uploads/',
        query: { digest: wrong },
        body: 'abc',
      }),
      400,
      'DIGEST_INVALID',
    );
    const loc = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: loc, body: 'abc' });
    expectOci(await h.mount({ method: 'PUT', rawPath: loc, query: { digest: wrong } }), 400, 'DIGEST_INVALID');
    expectOci(await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${wrong}` }), 404, 'BLOB_UNKNOWN');
    expect((await h.engine.list('hosted', { prefix: '_blobs/' })).artifacts).toEqual([]);
  });

  it('malformed digests → 400 DIGEST_INVALID', async () => {
    h = await dockerHarness();
    const hex = sha256('x').slice(7);
    for (const digest of [
      `sha256:${hex.toUpperCase()}`,
      `sha256:${hex.slice(1)}`,
      `md5:${hex}`,
      'sha256:../../x',
      `sha512:${hex}`,
    ]) {
      const res = await h.mount({
        method: 'POST',
        rawPath: '/v2/hosted/app/blobs/uploads/',
        query: { digest },
        body: 'x',
      });
      expectOci(res, 400, 'DIGEST_INVALID');
    }
  });

  it('sha512 digests upload and pull', async () => {
    h = await dockerHarness();
    const digest = sha512('sha512 bytes');
    const res = await h.mount({
      method: 'POST',
      rawPath: '/v2/hosted/app/blobs/uploads/',
      query: { digest },
      body: 'sha512 bytes',
    });
    expect(res.status).toBe(201);
    const got = await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}` });
    expect(got.text()).toBe('sha512 bytes');
    expect(got.headers['docker-content-digest']).toBe(digest);
  });

  it('the chunk count is capped by max_docker_chunk_count', async () => {
    h = await dockerHarness({ settings: { max_docker_chunk_count: 2 } });
    const loc = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: loc, body: 'a' });
    await h.mount({ method: 'PATCH', rawPath: loc, body: 'b' });
    expectOci(await h.mount({ method: 'PATCH', rawPath: loc, body: 'c' }), 400, 'BLOB_UPLOAD_INVALID');
  });

  it('max_artifact_bytes caps the running total of a session: the chunk that passes it drops the session (413)', async () => {
    h = await dockerHarness({ settings: { max_artifact_bytes: 10 } });
    const loc = (await start()).headers.location ?? '';
    expect((await h.mount({ method: 'PATCH', rawPath: loc, body: '123456' })).status).toBe(202);
    expectOci(await h.mount({ method: 'PATCH', rawPath: loc, body: '789012' }), 413, 'SIZE_INVALID');
    expectOci(await h.mount({ method: 'GET', rawPath: loc }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect((await h.engine.list('hosted', { prefix: '_uploads/' })).artifacts).toEqual([]);
  });

  it('max_artifact_bytes: a declared length past the limit is refused before reading; the final PUT counts too', async () => {
    h = await dockerHarness({ settings: { max_artifact_bytes: 10 } });
    const declared = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: declared, body: '12345' });
    const big = { 'content-length': '6' };
    expectOci(await h.mount({ method: 'PATCH', rawPath: declared, headers: big, body: '678901' }), 413, 'SIZE_INVALID');
    expectOci(await h.mount({ method: 'GET', rawPath: declared }), 404, 'BLOB_UPLOAD_UNKNOWN');

    const loc = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: loc, body: '123456' });
    const digest = sha256('123456789012');
    expectOci(await h.mount({ method: 'PUT', rawPath: loc, query: { digest }, body: '789012' }), 413, 'SIZE_INVALID');
    expectOci(await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}` }), 404, 'BLOB_UNKNOWN');
    expect((await h.engine.list('hosted', { prefix: '_uploads/' })).artifacts).toEqual([]);
    const exact = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: exact, body: '12345' });
    const ok = await h.mount({ method: 'PUT', rawPath: exact, query: { digest: sha256('1234567890') }, body: '67890' });
    expect(ok.status).toBe(201);
  });

  it('reapUploadSessions drops sessions idle over an hour, with their chunks', async () => {
    h = await dockerHarness();
    const loc = (await start()).headers.location ?? '';
    await h.mount({ method: 'PATCH', rawPath: loc, body: 'abc' });
    expect(await reapUploadSessions(scopedKv(h.kv, 'fmt/docker/'), h.engine, Date.now())).toBe(0);
    expect(await reapUploadSessions(scopedKv(h.kv, 'fmt/docker/'), h.engine, Date.now() + 3_600_001)).toBe(1);
    expectOci(await h.mount({ method: 'GET', rawPath: loc }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect((await h.engine.list('hosted', { prefix: '_uploads/' })).artifacts).toEqual([]);
  });
});

/** `POST /v2/hosted/app/blobs/uploads/?mount=<digest>&from=other/base`, as `as` (default: admin). */
const mountFromBase = (digest: string, as?: Parameters<FormatHarness['as']>[0]) =>
  (as === undefined ? h : h.as(as)).mount({
    method: 'POST',
    rawPath: '/v2/hosted/app/blobs/uploads/',
    query: { mount: digest, from: 'other/base' },
  });

describe('cross-repository mount', () => {
  it('201 when the source has the blob and the caller may read it; else a 202 session', async () => {
    h = await dockerHarness();
    const digest = await pushBlob(h, 'other/base', 'shared layer');
    const mounted = await mountFromBase(digest);
    expect(mounted.status).toBe(201);
    expect(mounted.headers['docker-content-digest']).toBe(digest);
    expect((await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}` })).text()).toBe('shared layer');

    const d2 = await pushBlob(h, 'other/base', 'secret layer');
    const onlyHosted = {
      username: 'u',
      anonymous: false,
      admin: false,
      can: (_: string, repo: string) => repo === 'hosted',
    };
    const fallback = await mountFromBase(d2, onlyHosted);
    expect(fallback.status).toBe(202);
    expect(fallback.headers['docker-upload-uuid']).toBeTruthy();
    const missing = await mountFromBase(sha256('nope'));
    expect(missing.status).toBe(202);
  });

  it('a mounted blob deleted from the target is gone there and still in the source', async () => {
    h = await dockerHarness();
    const digest = await pushBlob(h, 'other/base', 'shared layer');
    const mounted = await mountFromBase(digest);
    expect(mounted.status).toBe(201);
    expect((await h.mount({ method: 'DELETE', rawPath: `/v2/hosted/app/blobs/${digest}` })).status).toBe(202);
    expect((await h.mount({ method: 'HEAD', rawPath: `/v2/hosted/app/blobs/${digest}` })).status).toBe(404);
    expectOci(await h.mount({ method: 'GET', rawPath: `/v2/hosted/app/blobs/${digest}` }), 404, 'BLOB_UNKNOWN');
    expect((await h.mount({ method: 'GET', rawPath: `/v2/other/base/blobs/${digest}` })).text()).toBe('shared layer');
  });
});
