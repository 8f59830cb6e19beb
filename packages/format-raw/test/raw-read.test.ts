import { blake3Hex } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { counting, rawHarnesses } from './raw-helpers.js';

const bytes = counting(100);
const TAG = `"${blake3Hex(bytes)}"`;
const LAST_MODIFIED = 'Tue, 02 Jan 2024 03:04:05 GMT';

describe('raw conditional requests and byte ranges', () => {
  const open = rawHarnesses();
  async function withFile(path = 'f.bin', body: Uint8Array = bytes) {
    const raw = await open();
    await raw.h.createRepo({ name: 'files' });
    await raw.h.request({ method: 'PUT', repo: 'files', path, body });
    const get = (headers: Record<string, string>, method = 'GET') =>
      raw.h.request({ method, repo: 'files', path, headers });
    return { ...raw, get };
  }

  it.each([
    ['exact tag', { 'if-none-match': TAG }],
    ['weak tag', { 'if-none-match': `W/${TAG}` }],
    ['list', { 'if-none-match': `"other", W/"x", ${TAG}` }],
    ['star', { 'if-none-match': '*' }],
    ['same second', { 'if-modified-since': LAST_MODIFIED }],
    ['later date', { 'if-modified-since': 'Wed, 03 Jan 2024 00:00:00 GMT' }],
    ['with a Range', { 'if-none-match': TAG, range: 'bytes=0-9' }],
  ])('304 without a body for %s', async (_, headers) => {
    const { get, bodyOpens } = await withFile();
    const opens = bodyOpens();
    for (const method of ['GET', 'HEAD']) {
      const res = await get(headers, method);
      expect(res.status).toBe(304);
      expect(res.body.byteLength).toBe(0);
      expect(res.headers).toEqual({ etag: TAG, 'last-modified': LAST_MODIFIED });
    }
    expect(bodyOpens()).toBe(opens);
  });

  it.each([
    ['another tag', { 'if-none-match': '"nope"' }],
    ['an earlier date', { 'if-modified-since': 'Tue, 02 Jan 2024 03:04:04 GMT' }],
    ['an unparseable date', { 'if-modified-since': 'yesterday-ish' }],
    [
      'If-Modified-Since overridden by a failing If-None-Match',
      { 'if-none-match': '"nope"', 'if-modified-since': 'Wed, 03 Jan 2024 00:00:00 GMT' },
    ],
  ])('200 with the body for %s', async (_, headers) => {
    const { get } = await withFile();
    const res = await get(headers);
    expect(res.status).toBe(200);
    expect(res.body.equals(Buffer.from(bytes))).toBe(true);
  });

  it('If-None-Match: * on a missing artifact is still 404', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    const res = await h.request({ method: 'GET', repo: 'files', path: 'missing', headers: { 'if-none-match': '*' } });
    expect(res.status).toBe(404);
  });

  it.each([
    ['first byte', 'bytes=0-0', 0, 0],
    ['last byte', 'bytes=99-99', 99, 99],
    ['suffix', 'bytes=-10', 90, 99],
    ['suffix longer than the body', 'bytes=-500', 0, 99],
    ['open-ended', 'bytes=90-', 90, 99],
    ['end past the end (clamped)', 'bytes=50-1000', 50, 99],
    ['unit in any case, spaces', 'Bytes= 10-19 ', 10, 19],
  ])('206 for the %s', async (_, range, start, end) => {
    const { get } = await withFile();
    const res = await get({ range });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/100`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(res.headers.etag).toBe(TAG);
    expect(res.body.equals(Buffer.from(bytes.subarray(start, end + 1)))).toBe(true);
  });

  it.each([
    ['a start past the end', 'bytes=100-', 100],
    ['a huge start', 'bytes=99999999-', 100],
    ['a zero-length suffix', 'bytes=-0', 100],
  ])('416 for %s, without opening the body', async (_, range, size) => {
    const { get, bodyOpens } = await withFile();
    const opens = bodyOpens();
    const res = await get({ range });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${size}`);
    expect(bodyOpens()).toBe(opens);
  });

  it('416 for any range of a zero-byte artifact', async () => {
    const { get } = await withFile('empty.bin', new Uint8Array(0));
    for (const range of ['bytes=0-', 'bytes=0-0', 'bytes=-1']) {
      const res = await get({ range });
      expect([range, res.status, res.headers['content-range']]).toEqual([range, 416, 'bytes */0']);
    }
  });

  it.each([
    ['several ranges', 'bytes=0-1,5-6'],
    ['a thousand ranges', `bytes=${Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(',')}`],
    ['garbage', 'bytes=abc'],
    ['another unit', 'items=0-1'],
    ['last before first', 'bytes=5-1'],
    ['no positions', 'bytes=-'],
    ['no unit', '0-5'],
  ])('200 with the whole body for %s', async (_, range) => {
    const { get } = await withFile();
    const res = await get({ range });
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toBeUndefined();
    expect(res.body.equals(Buffer.from(bytes))).toBe(true);
  });

  it('If-Range: a matching tag or date applies the range, anything else serves 200', async () => {
    const { get } = await withFile();
    expect((await get({ range: 'bytes=0-4', 'if-range': TAG })).status).toBe(206);
    expect((await get({ range: 'bytes=0-4', 'if-range': LAST_MODIFIED })).status).toBe(206);
    expect((await get({ range: 'bytes=0-4', 'if-range': '"stale"' })).status).toBe(200);
    expect((await get({ range: 'bytes=0-4', 'if-range': `W/${TAG}` })).status).toBe(200);
    expect((await get({ range: 'bytes=0-4', 'if-range': 'Mon, 01 Jan 2024 00:00:00 GMT' })).status).toBe(200);
  });

  it('HEAD ignores Range and opens no body', async () => {
    const { get, bodyOpens } = await withFile();
    const opens = bodyOpens();
    const res = await get({ range: 'bytes=0-4' }, 'HEAD');
    expect([res.status, res.headers['content-length'], res.headers['content-range']]).toEqual([200, '100', undefined]);
    expect(bodyOpens()).toBe(opens);
  });
});
