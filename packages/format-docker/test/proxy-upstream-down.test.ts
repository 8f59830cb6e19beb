import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dockerHarness, expectOci, pushImage } from './support.js';

/** A loopback URL nothing listens on (a port taken and released again). */
async function deadUpstream(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('a proxy whose cache member cannot reach its upstream', () => {
  it('answers 404 MANIFEST_UNKNOWN / BLOB_UNKNOWN when no member has the name, and still serves hosted ones', async () => {
    const h = await dockerHarness({}, [
      { name: 'cache', repo_type: 'cache', upstream_url: await deadUpstream() },
      { name: 'group', repo_type: 'proxy', members: ['hosted', 'cache'] },
    ]);
    const local = await pushImage(h, 'hosted/lib/here', 'v1');
    const found = await h.mount({ method: 'GET', rawPath: '/v2/group/lib/here/manifests/v1' });
    expect(found.status).toBe(200);
    expect(found.headers['docker-content-digest']).toBe(local.digest);
    expectOci(await h.mount({ method: 'GET', rawPath: '/v2/group/lib/nowhere/manifests/v1' }), 404, 'MANIFEST_UNKNOWN');
    expect((await h.mount({ method: 'HEAD', rawPath: '/v2/group/lib/nowhere/manifests/v1' })).status).toBe(404);
    const digest = `sha256:${'0'.repeat(64)}`;
    expectOci(await h.mount({ method: 'GET', rawPath: `/v2/group/lib/nowhere/blobs/${digest}` }), 404, 'BLOB_UNKNOWN');
    // The cache repository itself still reports its upstream failure.
    const direct = await h.mount({ method: 'GET', rawPath: '/v2/cache/lib/nowhere/manifests/v1' });
    expect(direct.status).toBeGreaterThanOrEqual(500);
    await h.close();
  });
});
