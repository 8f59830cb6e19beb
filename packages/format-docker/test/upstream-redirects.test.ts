import { afterEach, describe, expect, it } from 'vitest';
import { dockerHarness, type Reply, serve, sha256 } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const layer = 'layer bytes on the CDN';
const digest = sha256(layer);

/** A CDN stand-in serving the layer, and a registry that wants a Bearer token and redirects blobs there. */
async function registryWithCdn() {
  const cdn = await serve(
    (): Reply => ({ status: 200, headers: { 'content-length': String(Buffer.byteLength(layer)) }, body: layer }),
  );
  const up = await serve((req): Reply => {
    if (req.url?.startsWith('/token')) return { status: 200, body: JSON.stringify({ token: 'tkn' }) };
    if (req.headers.authorization !== 'Bearer tkn') {
      return { status: 401, headers: { 'www-authenticate': `Bearer realm="${up.url}/token",service="reg"` } };
    }
    if (req.url === `/v2/app/blobs/${digest}`) return { status: 307, headers: { location: `${cdn.url}/blob` } };
    if (req.url === '/v2/app/manifests/v1') return { status: 302, headers: { location: `${cdn.url}/manifest` } };
    return { status: 404 };
  });
  closers.push(cdn.close, up.close);
  return { cdn, up };
}

describe('Docker cache upstream redirects', () => {
  it('refuses a blob or manifest redirect to a host not in upstream_redirect_hosts; nothing is fetched there', async () => {
    const { cdn, up } = await registryWithCdn();
    const h = await dockerHarness({}, [{ name: 'cache', repo_type: 'cache', upstream_url: up.url }]);
    closers.push(() => h.close());
    const blob = await h.mount({ method: 'GET', rawPath: `/v2/cache/app/blobs/${digest}` });
    expect(blob.status).toBe(502);
    const man = await h.mount({ method: 'GET', rawPath: '/v2/cache/app/manifests/v1' });
    expect(man.status).toBeGreaterThanOrEqual(500);
    expect(cdn.seen).toEqual([]);
  });

  it('follows a blob redirect to a listed CDN host without sending it the Bearer token', async () => {
    const { cdn, up } = await registryWithCdn();
    const h = await dockerHarness({}, [
      {
        name: 'cache',
        repo_type: 'cache',
        upstream_url: up.url,
        upstream_auth: { username: 'u', password: 'p' },
        upstream_redirect_hosts: [new URL(cdn.url).host],
      },
    ]);
    closers.push(() => h.close());
    const blob = await h.mount({ method: 'GET', rawPath: `/v2/cache/app/blobs/${digest}` });
    expect(blob.status).toBe(200);
    expect(cdn.seen.map((s) => s.path)).toContain('/blob');
    for (const s of cdn.seen) expect(s.authorization).toBeUndefined();
    expect(up.seen.some((s) => s.authorization === 'Bearer tkn')).toBe(true);
  });
});
