import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { code } from '../../test/engine-support.js';
import type { BlobStore } from '../blob/blob-store.js';
import { memoryBlobStore } from '../blob/memory-blob-store.js';
import { memoryKvStore } from '../kv/memory-kv-store.js';
import { type DepotRecords, depotRecords, type RepositoryRecord } from '../kv/records.js';
import { createRepositoryEngine } from './create-engine.js';
import type { ArtifactRead, CachePolicy, RepositoryEngineOptions, UpstreamRequest } from './engine.js';

// Contract additions of the engine: per-read expected content, the fetchUpstream hook and
// configurable upstream timeouts. Every upstream here is a real node:http server.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let server: Server;
let base: string;
let records: DepotRecords;
let blobs: BlobStore;
let policy: CachePolicy;

const sha512 = (text: string): string => createHash('sha512').update(text).digest('hex');
const ok =
  (body: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': String(Buffer.byteLength(body)) }).end(body);
  };
async function text(read: ArtifactRead | null): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of read?.body ?? []) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}
function engineWith(extra: Partial<RepositoryEngineOptions> = {}) {
  return createRepositoryEngine({
    records,
    blobStore: async () => blobs,
    fetch: (url, init) => fetch(url, init),
    cachePolicy: () => policy,
    ...extra,
  });
}
const addRepo = (name: string, extra: Partial<RepositoryRecord>): Promise<string> =>
  records.repositories.put(name, {
    name,
    repo_type: 'cache',
    format: 'raw',
    store: 'main',
    upstream_url: base,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  });

beforeEach(async () => {
  routes.clear();
  server = createServer((req, res) => {
    const handler = routes.get(req.url ?? '');
    if (handler === undefined) res.writeHead(404).end();
    else handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  records = depotRecords(memoryKvStore());
  blobs = memoryBlobStore();
  policy = {};
  await addRepo('c', {});
  await addRepo('h', { repo_type: 'hosted' });
  await addRepo('p', { repo_type: 'proxy', members: ['h', 'c'] });
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('GetArtifactOptions.expected', () => {
  it('stores a fill that matches, and stores nothing (no record, no blob) when it does not', async () => {
    const engine = engineWith();
    routes.set('/good.tgz', ok('good bytes'));
    routes.set('/bad.tgz', ok('evil bytes'));
    const good = await engine.get('p', 'good.tgz', { expected: { sha512: sha512('good bytes').toUpperCase() } });
    expect(await text(good)).toBe('good bytes');
    expect((await engine.stat('c', 'good.tgz'))?.hashes.sha512).toBe(sha512('good bytes'));
    const before = await blobs.stats();
    expect(await code(engine.get('p', 'bad.tgz', { expected: { sha512: sha512('good bytes') } }))).toBe(
      'UPSTREAM_ERROR',
    );
    expect(await engine.stat('c', 'bad.tgz')).toBeNull();
    expect(await blobs.stats()).toEqual(before);
    // A later read without expectations is not poisoned by the refused trip.
    expect(await text(await engine.get('c', 'bad.tgz'))).toBe('evil bytes');
  });

  it('refuses an answer whose Content-Length contradicts the expected size before reading it', async () => {
    const engine = engineWith();
    routes.set('/sized.bin', ok('12345'));
    expect(await code(engine.get('c', 'sized.bin', { expected: { size: 4 } }))).toBe('UPSTREAM_ERROR');
    expect(await blobs.stats()).toEqual({ blobCount: 0, totalBytes: 0 });
  });
});

describe('CachePolicy.fetchUpstream', () => {
  it('sends cache fills through the hook, with the engine signal and Basic credentials in init', async () => {
    const seen: UpstreamRequest[] = [];
    policy = {
      async fetchUpstream(request) {
        seen.push(request);
        const headers = new Headers(request.init.headers);
        headers.set('x-shaped', 'yes');
        return request.fetch(request.url, { ...request.init, headers });
      },
    };
    routes.set('/shaped.txt', (req, res) => ok(String(req.headers['x-shaped']))(req, res));
    await addRepo('auth', { upstream_auth: { username: 'u', password: 'p' } });
    const read = await engineWith().get('auth', 'shaped.txt');
    expect(await text(read)).toBe('yes');
    expect(seen[0]?.url).toBe(`${base}shaped.txt`);
    expect(seen[0]?.init.signal).toBeInstanceOf(AbortSignal);
    expect(new Headers(seen[0]?.init.headers).get('authorization')).toBe(`Basic ${btoa('u:p')}`);
  });
});

describe('RepositoryEngineOptions.upstreamTimeouts', () => {
  const silent: Handler = () => {}; // accepts the request, never answers

  it('fails a miss with UPSTREAM_ERROR once headersMs passes without response headers', {
    timeout: 5_000,
  }, async () => {
    routes.set('/slow.bin', silent);
    const engine = engineWith({ upstreamTimeouts: { headersMs: 200 } });
    const started = Date.now();
    expect(await code(engine.get('c', 'slow.bin'))).toBe('UPSTREAM_ERROR');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('serves the stale copy when the upstream stops answering', { timeout: 5_000 }, async () => {
    const engine = engineWith({ upstreamTimeouts: { headersMs: 200 } });
    routes.set('/stale.txt', ok('kept'));
    await text(await engine.get('c', 'stale.txt'));
    routes.set('/stale.txt', silent);
    const read = await engine.get('c', 'stale.txt');
    expect(read?.source).toBe('stale');
    expect(await text(read)).toBe('kept');
  });

  it('bounds even a fetch that ignores its abort signal', { timeout: 5_000 }, async () => {
    const engine = engineWith({ fetch: () => new Promise<Response>(() => {}), upstreamTimeouts: { headersMs: 100 } });
    expect(await code(engine.get('c', 'never.bin'))).toBe('UPSTREAM_ERROR');
  });

  it('abandons a body that stalls for idleMs: the stream errors and nothing is stored', {
    timeout: 5_000,
  }, async () => {
    routes.set('/stall.bin', (_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });
    const engine = engineWith({ upstreamTimeouts: { idleMs: 150 } });
    const read = await engine.get('c', 'stall.bin');
    expect(read?.provisional).toBe(true);
    expect(await code(text(read))).toBe('UPSTREAM_ERROR');
    expect(await code(read?.committed ?? Promise.resolve())).toBe('UPSTREAM_ERROR');
    expect(await engine.stat('c', 'stall.bin')).toBeNull();
    expect(await blobs.stats()).toEqual({ blobCount: 0, totalBytes: 0 });
  });
});
