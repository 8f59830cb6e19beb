import { afterEach, describe, expect, it } from 'vitest';
import { realmTrusted } from '../src/index.js';
import { dockerHarness, OCI_MANIFEST, type Reply, serve, sha256 } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'x', digest: sha256('c'), size: 1 },
  layers: [],
});

describe('upstream Bearer token dance (RELIABILITY §1.5 realm binding)', () => {
  it('fetches a token from a same-host realm with upstream_auth, then retries with Bearer', async () => {
    const up = await serve((req): Reply => {
      if (req.url?.startsWith('/token'))
        return { status: 200, body: JSON.stringify({ token: 'tkn', expires_in: 300 }) };
      if (req.headers.authorization !== 'Bearer tkn') {
        return { status: 401, headers: { 'www-authenticate': `Bearer realm="${up.url}/token",service="reg"` } };
      }
      return {
        status: 200,
        headers: { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha256(manifest) },
        body: manifest,
      };
    });
    closers.push(up.close);
    const h = await dockerHarness({}, [
      { name: 'cache', repo_type: 'cache', upstream_url: up.url, upstream_auth: { username: 'u', password: 'p' } },
    ]);
    closers.push(() => h.close());
    const res = await h.mount({ method: 'GET', rawPath: '/v2/cache/app/manifests/v1' });
    expect(res.status).toBe(200);
    const tokenReq = up.seen.find((s) => s.path.startsWith('/token'));
    expect(tokenReq?.path).toContain('scope=repository%3Aapp%3Apull');
    expect(tokenReq?.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('pulls a blob through the cache from an upstream that demands a Bearer token on blob GETs', async () => {
    const layer = 'layer bytes behind a token';
    const digest = sha256(layer);
    const up = await serve((req): Reply => {
      if (req.url?.startsWith('/token')) return { status: 200, body: JSON.stringify({ token: 'blob-tkn' }) };
      if (req.headers.authorization !== 'Bearer blob-tkn') {
        return {
          status: 401,
          headers: { 'www-authenticate': `Bearer realm="${up.url}/token",service="reg",scope="repository:app:pull"` },
        };
      }
      if (req.url === `/v2/app/blobs/${digest}`) {
        return { status: 200, headers: { 'content-length': String(Buffer.byteLength(layer)) }, body: layer };
      }
      return { status: 404 };
    });
    closers.push(up.close);
    const h = await dockerHarness({}, [
      { name: 'cache', repo_type: 'cache', upstream_url: up.url, upstream_auth: { username: 'u', password: 'p' } },
    ]);
    closers.push(() => h.close());
    const res = await h.mount({ method: 'GET', rawPath: `/v2/cache/app/blobs/${digest}` });
    expect(res.status).toBe(200);
    expect(res.text()).toBe(layer);
    const tokenReqs = up.seen.filter((s) => s.path.startsWith('/token'));
    expect(tokenReqs).toHaveLength(1);
    expect(tokenReqs[0]?.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(up.seen.at(-1)).toEqual({ path: `/v2/app/blobs/${digest}`, authorization: 'Bearer blob-tkn' });
    // Stored: a second pull is local, and the cached token would be reused for another blob.
    const again = await h.mount({ method: 'GET', rawPath: `/v2/cache/app/blobs/${digest}` });
    expect(again.text()).toBe(layer);
    expect(up.seen.filter((s) => s.path.startsWith('/v2/'))).toHaveLength(2);
  });

  it('never contacts a realm on another host, so credentials cannot leak', async () => {
    const evil = await serve(() => ({ status: 200, body: '{"token":"stolen"}' }));
    closers.push(evil.close);
    const evilUrl = evil.url.replace('127.0.0.1', 'localhost');
    const up = await serve(() => ({
      status: 401,
      headers: { 'www-authenticate': `Bearer realm="${evilUrl}/token",service="x"` },
    }));
    closers.push(up.close);
    const h = await dockerHarness({}, [
      { name: 'cache', repo_type: 'cache', upstream_url: up.url, upstream_auth: { username: 'u', password: 'secret' } },
    ]);
    closers.push(() => h.close());
    const res = await h.mount({ method: 'GET', rawPath: '/v2/cache/app/manifests/v1' });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(evil.seen).toEqual([]);
  });

  it('realmTrusted: same host, or Docker Hub auth service over https only', () => {
    const hub = new URL('https://registry-1.docker.io');
    expect(realmTrusted(hub, new URL('https://auth.docker.io/token'))).toBe(true);
    expect(realmTrusted(hub, new URL('http://auth.docker.io/token'))).toBe(false);
    expect(realmTrusted(hub, new URL('https://evil.example/token'))).toBe(false);
    expect(realmTrusted(new URL('http://10.0.0.1:5000'), new URL('http://10.0.0.1:5000/token'))).toBe(true);
    expect(realmTrusted(new URL('http://10.0.0.1:5000'), new URL('http://169.254.169.254/token'))).toBe(false);
  });
});
