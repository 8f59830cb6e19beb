import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { code, source, text } from '../../test/engine-support.js';
import type { BlobStore } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { DepotError } from '../errors/depot-error.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords, type RepositoryRecord } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { CachePolicy, RepositoryEngine } from './engine.js';

type Handler = (res: ServerResponse, headers: IncomingHttpHeaders) => void | Promise<void>;

/** A real HTTP upstream on 127.0.0.1:0 that counts requests per path. */
interface Upstream {
  readonly url: string;
  routes: Map<string, Handler>;
  hits: Map<string, number>;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}
async function startUpstream(): Promise<Upstream> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const requests: Upstream['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push({ path, headers: req.headers });
    const handler = routes.get(path);
    if (handler === undefined) {
      res.writeHead(404).end('not here');
      return;
    }
    void handler(res, req.headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/up/`,
    routes,
    hits,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
const ok =
  (body: string | Uint8Array, headers: Record<string, string> = {}): Handler =>
  (res) => {
    res.writeHead(200, { 'content-length': String(Buffer.byteLength(body)), ...headers }).end(body);
  };

describe('repository engine: cache', () => {
  let upstream: Upstream;
  let records: DepotRecords;
  let blobs: BlobStore;
  let engine: RepositoryEngine;
  let policy: CachePolicy;
  let clock: number;
  const addCache = (name: string, extra: Partial<RepositoryRecord> = {}): Promise<string> =>
    records.repositories.put(name, {
      name,
      repo_type: 'cache',
      format: 'raw',
      store: 'main',
      upstream_url: upstream.url,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      ...extra,
    });
  beforeEach(async () => {
    upstream = await startUpstream();
    records = depotRecords(memoryKvStore());
    blobs = memoryBlobStore();
    policy = {};
    clock = Date.parse('2026-03-01T00:00:00Z');
    engine = createRepositoryEngine({
      records,
      blobStore: async () => blobs,
      fetch: (url, init) => fetch(url, init),
      cachePolicy: () => policy,
      now: () => clock,
    });
  });
  afterEach(() => upstream.close());

  it('fetches a miss, stores it, and serves it locally within the TTL without asking upstream', async () => {
    await addCache('c', { cache_ttl_secs: 3600 });
    upstream.routes.set('/up/pkg/a.tgz', ok('tarball-bytes', { etag: '"v1"', 'content-type': 'application/gzip' }));
    const first = await engine.get('c', 'pkg/a.tgz');
    expect(first?.source).toBe('upstream');
    expect(await text(first)).toBe('tarball-bytes');
    const stored = await engine.stat('c', 'pkg/a.tgz');
    expect(stored).toMatchObject({ size: 13, upstream_etag: '"v1"', content_type: 'application/gzip' });
    clock += 3_000_000;
    const second = await engine.get('c', 'pkg/a.tgz');
    expect(second?.source).toBe('local');
    expect(await text(second)).toBe('tarball-bytes');
    expect(upstream.hits.get('/up/pkg/a.tgz')).toBe(1);
  });

  it('revalidates with If-None-Match when the TTL is 0, and a 304 keeps the copy', async () => {
    await addCache('c');
    upstream.routes.set('/up/meta.json', (res, headers) => {
      if (headers['if-none-match'] === '"e1"') res.writeHead(304, { etag: '"e1"' }).end();
      else ok('{"v":1}', { etag: '"e1"', 'last-modified': 'Sun, 01 Mar 2026 00:00:00 GMT' })(res, headers);
    });
    expect(await text(await engine.get('c', 'meta.json'))).toBe('{"v":1}');
    clock += 10_000;
    const again = await engine.get('c', 'meta.json');
    expect(again?.source).toBe('local');
    expect(await text(again)).toBe('{"v":1}');
    expect(upstream.requests[1]?.headers['if-none-match']).toBe('"e1"');
    expect(upstream.requests[1]?.headers['if-modified-since']).toBe('Sun, 01 Mar 2026 00:00:00 GMT');
    expect((await engine.stat('c', 'meta.json'))?.fetched_at).toBe(new Date(clock).toISOString());
  });

  it('re-ingests when revalidation answers 200 with new content', async () => {
    await addCache('c');
    upstream.routes.set('/up/index.yaml', ok('one', { etag: '"1"' }));
    await text(await engine.get('c', 'index.yaml'));
    upstream.routes.set('/up/index.yaml', ok('two!', { etag: '"2"' }));
    const read = await engine.get('c', 'index.yaml');
    expect(read?.source).toBe('upstream');
    expect(await text(read)).toBe('two!');
    expect(await engine.stat('c', 'index.yaml')).toMatchObject({ size: 4, upstream_etag: '"2"' });
  });

  it('never revalidates immutable paths', async () => {
    await addCache('c');
    policy = { isImmutable: (p) => p.startsWith('blobs/') };
    upstream.routes.set('/up/blobs/sha', ok('layer'));
    for (let i = 0; i < 3; i++) expect(await text(await engine.get('c', 'blobs/sha'))).toBe('layer');
    expect(upstream.hits.get('/up/blobs/sha')).toBe(1);
  });

  it('serves the stale copy when the upstream is gone, and UPSTREAM_ERROR without one', async () => {
    await addCache('c');
    upstream.routes.set('/up/s.txt', ok('cached'));
    await text(await engine.get('c', 's.txt'));
    await upstream.close();
    const read = await engine.get('c', 's.txt');
    expect(read?.source).toBe('stale');
    expect(await text(read)).toBe('cached');
    expect(await code(engine.get('c', 'never-fetched.txt'))).toBe('UPSTREAM_ERROR');
  });

  it('serves stale on 5xx and 429 upstream answers', async () => {
    await addCache('c');
    upstream.routes.set('/up/t.txt', ok('keep'));
    await text(await engine.get('c', 't.txt'));
    for (const status of [500, 503, 429]) {
      upstream.routes.set('/up/t.txt', (res) => void res.writeHead(status).end('oops'));
      const read = await engine.get('c', 't.txt');
      expect(read?.source).toBe('stale');
      expect(await text(read)).toBe('keep');
    }
  });

  it('coalesces 16 concurrent misses into one upstream GET', async () => {
    await addCache('c');
    const big = 'x'.repeat(300_000);
    upstream.routes.set('/up/big.bin', async (res) => {
      await new Promise((r) => setTimeout(r, 50));
      ok(big)(res, {});
    });
    const reads = await Promise.all(Array.from({ length: 16 }, () => engine.get('c', 'big.bin')));
    const bodies = await Promise.all(reads.map(text));
    expect(bodies.every((b) => b === big)).toBe(true);
    expect(upstream.hits.get('/up/big.bin')).toBe(1);
    expect((await blobs.stats()).blobCount).toBe(1);
  });

  it('stores nothing from a 500, an HTML answer the format rejects, or a wrong digest', async () => {
    await addCache('c');
    policy = {
      validateResponse: (_path, _status, headers) => {
        if (headers.get('content-type')?.startsWith('text/html')) throw new DepotError('UPSTREAM_ERROR', 'html');
      },
      expectedContent: (path) =>
        path === 'digest.bin' ? { sha256: createHash('sha256').update('right').digest('hex') } : undefined,
    };
    upstream.routes.set('/up/e.tgz', (res) => void res.writeHead(500).end('boom'));
    upstream.routes.set('/up/h.tgz', ok('<html>login</html>', { 'content-type': 'text/html' }));
    upstream.routes.set('/up/digest.bin', ok('wrong'));
    expect(await code(engine.get('c', 'e.tgz'))).toBe('UPSTREAM_ERROR');
    expect(await code(engine.get('c', 'h.tgz'))).toBe('UPSTREAM_ERROR');
    expect(await code(engine.get('c', 'digest.bin'))).toBe('UPSTREAM_ERROR');
    for (const p of ['e.tgz', 'h.tgz', 'digest.bin']) expect(await engine.stat('c', p)).toBeNull();
    expect((await blobs.stats()).blobCount).toBe(0);
  });

  it('does not store a body shorter than its Content-Length', async () => {
    await addCache('c');
    upstream.routes.set('/up/short.bin', (res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('only-some');
      setTimeout(() => res.destroy(), 20);
    });
    const read = await engine.get('c', 'short.bin');
    expect(await code(text(read))).not.toBe('resolved');
    await vi.waitFor(async () => expect((await blobs.stats()).blobCount).toBe(0));
    expect(await engine.stat('c', 'short.bin')).toBeNull();
  });

  it('answers null for an upstream 404 and stores nothing', async () => {
    await addCache('c');
    expect(await engine.get('c', 'nope.txt')).toBeNull();
    expect(await engine.stat('c', 'nope.txt')).toBeNull();
  });

  it('refuses writes with NOT_ALLOWED', async () => {
    await addCache('c');
    expect(await code(engine.put('c', 'x.txt', source('x')))).toBe('NOT_ALLOWED');
    expect(await code(engine.resolveWriteTarget('c'))).toBe('NOT_ALLOWED');
  });

  it('sends Basic credentials and joins the URL without a double slash', async () => {
    await addCache('c', {
      upstream_auth: { username: 'u', password: 'p:w' },
      upstream_url: upstream.url.replace(/\/$/, '///'),
    });
    upstream.routes.set('/up/dir/with%20space.txt', ok('auth'));
    expect(await text(await engine.get('c', 'dir/with space.txt'))).toBe('auth');
    expect(upstream.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
  });

  it('keeps caching when the client stops reading mid-stream', async () => {
    await addCache('c');
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    upstream.routes.set('/up/large.bin', ok(big));
    const read = await engine.get('c', 'large.bin');
    expect(read?.source).toBe('upstream');
    for await (const _chunk of read?.body ?? source('')) break;
    await vi.waitFor(async () => expect((await engine.stat('c', 'large.bin'))?.size).toBe(big.length));
    const local = await engine.get('c', 'large.bin', { range: { start: 0, end: 3 } });
    expect(local?.range).toEqual({ start: 0, end: 3 });
  });

  it('serves a range or a HEAD on a miss from the stored copy', async () => {
    await addCache('c', { cache_ttl_secs: 60 });
    upstream.routes.set('/up/r.bin', ok('0123456789'));
    upstream.routes.set('/up/h.bin', ok('head-me'));
    const ranged = await engine.get('c', 'r.bin', { range: { start: 3, end: 4 } });
    expect(await text(ranged)).toBe('34');
    const head = await engine.get('c', 'h.bin', { headOnly: true });
    expect(head?.body).toBeNull();
    expect(head?.record.size).toBe(7);
    expect(await engine.stat('c', 'h.bin')).not.toBeNull();
  });

  it('lets the client stream end only after the record is committed', async () => {
    await addCache('c', { cache_ttl_secs: 60 });
    upstream.routes.set('/up/commit.bin', ok('abc'));
    const read = await engine.get('c', 'commit.bin');
    if (read === null) throw new Error('expected a read');
    expect(read.source).toBe('upstream');
    expect(read.provisional).toBe(true);
    expect(read.record.hashes.blake3).toBe('');
    expect(read.record.size).toBe(3);
    await text(read);
    const stored = await engine.stat('c', 'commit.bin');
    expect(stored?.hashes.blake3).toMatch(/^[0-9a-f]{64}$/);
    expect(await read.committed).toEqual(stored);
    const local = await engine.get('c', 'commit.bin');
    expect(local?.source).toBe('local');
    expect(local?.provisional).toBeUndefined();
    expect(local?.committed).toBeUndefined();
  });
  it('remembers an upstream 404 for negative_cache_ttl_secs, and asks again every time without it', async () => {
    await addCache('ttl', { negative_cache_ttl_secs: 60 });
    await addCache('zero', { cache_ttl_secs: 60 });
    expect(await engine.get('ttl', 'missing.txt')).toBeNull();
    expect(await engine.get('ttl', 'missing.txt')).toBeNull();
    expect(upstream.hits.get('/up/missing.txt')).toBe(1);
    clock += 61_000;
    expect(await engine.get('ttl', 'missing.txt')).toBeNull();
    expect(upstream.hits.get('/up/missing.txt')).toBe(2);
    expect(await engine.get('zero', 'missing.txt')).toBeNull();
    expect(await engine.get('zero', 'missing.txt')).toBeNull();
    expect(upstream.hits.get('/up/missing.txt')).toBe(4);
  });

  it('content_ttl_secs: content and metadata (internal) paths revalidate on their own TTLs', async () => {
    policy = { isInternal: (path) => path.startsWith('meta/') };
    await addCache('c', { cache_ttl_secs: 10, content_ttl_secs: 100 });
    upstream.routes.set('/up/meta/index', ok('index'));
    upstream.routes.set('/up/file.bin', ok('file'));
    const both = async () => {
      await text(await engine.get('c', 'meta/index'));
      await text(await engine.get('c', 'file.bin'));
    };
    await both();
    clock += 50_000;
    await both();
    expect([upstream.hits.get('/up/meta/index'), upstream.hits.get('/up/file.bin')]).toEqual([2, 1]);
    clock += 60_000;
    await both();
    expect([upstream.hits.get('/up/meta/index'), upstream.hits.get('/up/file.bin')]).toEqual([3, 2]);
  });

  it('offline: serves what it holds (even past its TTL), never asks upstream, and a miss is NOT_FOUND', async () => {
    await addCache('c', { cache_ttl_secs: 1 });
    upstream.routes.set('/up/held.txt', ok('held'));
    expect(await text(await engine.get('c', 'held.txt'))).toBe('held');
    const asked = upstream.requests.length;
    const online = (await records.repositories.get('c')) as RepositoryRecord;
    await records.repositories.put('c', { ...online, offline: true });
    engine.invalidateRepository('c');
    clock += 60_000;
    const stale = await engine.get('c', 'held.txt');
    expect(stale?.source).toBe('stale');
    expect(await text(stale)).toBe('held');
    upstream.routes.set('/up/other.txt', ok('other'));
    expect(await code(engine.get('c', 'other.txt'))).toBe('NOT_FOUND');
    expect(upstream.requests.length).toBe(asked);
  });

  it('keeps serving the first-seen copy when the upstream starts answering 404', async () => {
    await addCache('c');
    upstream.routes.set('/up/pinned.txt', ok('first'));
    await text(await engine.get('c', 'pinned.txt'));
    upstream.routes.delete('/up/pinned.txt');
    const read = await engine.get('c', 'pinned.txt');
    expect(read?.source).toBe('stale');
    expect(await text(read)).toBe('first');
  });

  it('refetches without validators when the cached blob vanished', async () => {
    await addCache('c');
    upstream.routes.set('/up/v.txt', (res, headers) => {
      if (headers['if-none-match'] !== undefined) res.writeHead(304).end();
      else ok('fresh bytes', { etag: '"x"' })(res, headers);
    });
    await text(await engine.get('c', 'v.txt'));
    const record = await engine.stat('c', 'v.txt');
    await blobs.delete(record?.blob_id ?? '');
    const read = await engine.get('c', 'v.txt');
    expect(await text(read)).toBe('fresh bytes');
    expect(upstream.requests[1]?.headers['if-none-match']).toBeUndefined();
  });
});
