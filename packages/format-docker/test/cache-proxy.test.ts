import type { FormatHarness } from '@depot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary, type RegistryProcess, seedRegistry, startRegistry } from './registry.js';
import { dockerHarness, expectOci, OCI_MANIFEST, pushImage } from './support.js';

const haveRegistry = hasBinary('docker-registry');
if (!haveRegistry)
  console.warn('skipping cache tests: docker-registry binary not found (apt-get install docker-registry)');

describe.skipIf(!haveRegistry)('cache repositories against CNCF distribution 2.8', () => {
  let registry: RegistryProcess;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => registry?.stop());

  const harness = (ttl = 0): Promise<FormatHarness> =>
    dockerHarness({}, [
      { name: 'cache', repo_type: 'cache', upstream_url: registry.url, cache_ttl_secs: ttl },
      { name: 'group', repo_type: 'proxy', members: ['hosted', 'cache'] },
    ]);

  it('pulls manifests and blobs through, verified, and serves them after the upstream stops', async () => {
    const up = await seedRegistry(registry.url, 'lib/alpine', '3', 'a');
    const h = await harness();
    const m = await h.mount({
      method: 'GET',
      rawPath: '/v2/cache/lib/alpine/manifests/3',
      headers: { accept: OCI_MANIFEST },
    });
    expect(m.status).toBe(200);
    expect(m.text()).toBe(up.manifest);
    expect(m.headers['docker-content-digest']).toBe(up.digest);
    const [b1, b2] = await Promise.all([
      h.mount({ method: 'GET', rawPath: `/v2/cache/lib/alpine/blobs/${up.layerDigest}` }),
      h.mount({ method: 'GET', rawPath: `/v2/cache/lib/alpine/blobs/${up.layerDigest}` }),
    ]);
    expect(b1.text()).toBe(up.layer);
    expect(b2.text()).toBe(up.layer);
    const tags = await h.mount({ method: 'GET', rawPath: '/v2/cache/lib/alpine/tags/list' });
    expect(tags.json<{ tags: string[] }>().tags).toContain('3');
    await h.close();
  });

  it('a tag moved upstream is revalidated (ttl 0); digests are immutable', async () => {
    const first = await seedRegistry(registry.url, 'lib/moving', 'latest', 'one');
    const h = await harness(0);
    const get = (ref: string) => h.mount({ method: 'GET', rawPath: `/v2/cache/lib/moving/manifests/${ref}` });
    expect((await get('latest')).headers['docker-content-digest']).toBe(first.digest);
    const second = await seedRegistry(registry.url, 'lib/moving', 'latest', 'two');
    expect((await get('latest')).headers['docker-content-digest']).toBe(second.digest);
    expect((await get(first.digest)).text()).toBe(first.manifest);
    await h.close();
  });

  it('a proxy over hosted + cache reads both, pushes to hosted, merges tags', async () => {
    const up = await seedRegistry(registry.url, 'lib/merged', 'up', 'm');
    const h = await harness();
    const local = await pushImage(h, 'group/lib/merged', 'local');
    expect((await h.engine.stat('hosted', `lib/merged/_manifests/${local.digest}`))?.path).toBeTruthy();
    const viaUp = await h.mount({ method: 'GET', rawPath: '/v2/group/lib/merged/manifests/up' });
    expect(viaUp.headers['docker-content-digest']).toBe(up.digest);
    const blob = await h.mount({ method: 'GET', rawPath: `/v2/group/lib/merged/blobs/${up.layerDigest}` });
    expect(blob.text()).toBe(up.layer);
    const tags = await h.mount({ method: 'GET', rawPath: '/v2/group/lib/merged/tags/list' });
    expect(tags.json<{ tags: string[] }>().tags).toEqual(['local', 'up']);
    const cat = await h.mount({ method: 'GET', rawPath: '/v2/_catalog' });
    expect(cat.json<{ repositories: string[] }>().repositories).toContain('group/lib/merged');
    expectOci(
      await h.mount({
        method: 'PUT',
        rawPath: '/v2/cache/lib/merged/manifests/x',
        headers: { 'content-type': OCI_MANIFEST },
        body: local.manifest,
      }),
      405,
      'UNSUPPORTED',
    );
    await h.close();
  });

  it('upstream stopped: cached tags and blobs still pull, uncached ones fail', async () => {
    const up = await seedRegistry(registry.url, 'lib/offline', '1', 'off');
    const h = await harness(0);
    await h.mount({ method: 'GET', rawPath: '/v2/cache/lib/offline/manifests/1' });
    await h.mount({ method: 'GET', rawPath: `/v2/cache/lib/offline/blobs/${up.layerDigest}` });
    await registry.stop();
    const m = await h.mount({ method: 'GET', rawPath: '/v2/cache/lib/offline/manifests/1' });
    expect(m.status).toBe(200);
    expect(m.headers['docker-content-digest']).toBe(up.digest);
    expect((await h.mount({ method: 'GET', rawPath: `/v2/cache/lib/offline/blobs/${up.layerDigest}` })).text()).toBe(
      up.layer,
    );
    const miss = await h.mount({ method: 'GET', rawPath: '/v2/cache/lib/offline/manifests/never' });
    expect(miss.status).toBeGreaterThanOrEqual(500);
    await h.close();
    registry = await startRegistry();
  });
});
