import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartTgz } from '../../../packages/format-helm/test/helpers.js';
import { packageTgz, publishBody } from '../../../packages/format-npm/test/helpers.js';
import { basicAuth } from './helpers/depot-process.js';
import { dockerClient, OCI_MANIFEST, sha256 } from './helpers/docker.js';
import { depotSlot, describeEachBackend } from './helpers/use-depot.js';

/**
 * Proxy repositories check every member with the caller's own permissions (docs/auth.md "Proxy
 * repositories and permissions"). User `team` holds read, write and delete on `team-*` only. Each
 * format has `secret-F` (hidden from it), `team-ok-F`, the proxy `team-group-F` over both with
 * `secret-F` as write member, and `team-outer-F` → `team-inner-F` (proxy) → `secret-F`.
 */
const TEAM: readonly [string, string] = ['team', 'team-password-1'];
const FORMATS = ['raw', 'docker', 'npm', 'helm'] as const;

const depot = depotSlot();
const { client: admin } = depot;
const asTeam = { authorization: basicAuth(...TEAM) };
const adminAuth = () => ({ authorization: admin.authorization });

/** The Depot error code of a JSON error body (`{"error":{"code"}}`), or the OCI one (`{"errors":[{code}]}`). */
async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string }; errors?: { code?: string }[] };
  return body.error?.code ?? body.errors?.[0]?.code;
}

describeEachBackend("proxy repositories check each member with the caller's permissions", (backend) => {
  depot.use({ backend });
  beforeAll(async () => {
    const role = await admin.post('/api/v1/roles', {
      name: 'team-role',
      capabilities: ['read', 'write', 'delete'].map((capability) => ({ capability, repo: 'team-*' })),
    });
    expect(role.status).toBe(201);
    const user = await admin.post('/api/v1/users', { username: TEAM[0], password: TEAM[1], roles: ['team-role'] });
    expect(user.status).toBe(201);
    for (const format of FORMATS) {
      const repos = [
        { name: `secret-${format}`, repo_type: 'hosted' },
        { name: `team-ok-${format}`, repo_type: 'hosted' },
        {
          name: `team-group-${format}`,
          repo_type: 'proxy',
          members: [`secret-${format}`, `team-ok-${format}`],
          write_member: `secret-${format}`,
        },
        { name: `team-inner-${format}`, repo_type: 'proxy', members: [`secret-${format}`] },
        { name: `team-outer-${format}`, repo_type: 'proxy', members: [`team-inner-${format}`, `team-ok-${format}`] },
      ];
      for (const repo of repos) {
        const res = await admin.post('/api/v1/repositories', { format, store: 'default', ...repo });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
    }
  }, 120_000);

  describe('raw proxies', () => {
    const put = (repo: string, path: string, body: string, headers = adminAuth()) =>
      fetch(`${depot.url}/repository/${repo}/${path}`, { method: 'PUT', headers, body });
    const get = (repo: string, path: string, headers: Record<string, string> = asTeam) =>
      fetch(`${depot.url}/repository/${repo}/${path}`, { headers });

    beforeAll(async () => {
      for (const [repo, path, body] of [
        ['secret-raw', 'docs/secret.txt', 'secret'],
        ['secret-raw', 'same.txt', 'secret same'],
        ['team-ok-raw', 'same.txt', 'ok same'],
        ['team-ok-raw', 'docs/ok.txt', 'ok'],
      ] as const) {
        expect((await put(repo, path, body)).status).toBe(201);
      }
    });

    it('reads skip the member the caller may not read, as if absent; readable members still answer', async () => {
      for (const proxy of ['team-group-raw', 'team-outer-raw']) {
        expect((await get(proxy, 'docs/secret.txt')).status).toBe(404);
        const head = await fetch(`${depot.url}/repository/${proxy}/docs/secret.txt`, {
          method: 'HEAD',
          headers: asTeam,
        });
        expect(head.status).toBe(404);
        const same = await get(proxy, 'same.txt');
        expect([same.status, await same.text()]).toEqual([200, 'ok same']);
        // An admin still gets the secret member first.
        const asAdmin = await get(proxy, 'same.txt', adminAuth());
        expect([asAdmin.status, await asAdmin.text()]).toEqual([200, 'secret same']);
      }
    });

    it('listings, search and archives show nothing of the secret member', async () => {
      for (const proxy of ['team-group-raw', 'team-outer-raw']) {
        // Sizes tell the members apart: `same.txt` is 7 bytes in team-ok-raw, 11 in secret-raw.
        const search = await admin.get<{ artifacts: { path: string; size: number }[] }>(
          `/api/v1/repositories/${proxy}/artifacts?q=txt`,
          { as: TEAM },
        );
        expect(search.status).toBe(200);
        expect(search.body.artifacts.map((a) => `${a.path}:${a.size}`).sort()).toEqual(['docs/ok.txt:2', 'same.txt:7']);
        const browse = await admin.get<{ artifacts: { path: string }[] }>(
          `/api/v1/repositories/${proxy}/artifacts?prefix=docs/`,
          { as: TEAM },
        );
        expect(browse.body.artifacts.map((a) => a.path)).toEqual(['docs/ok.txt']);
        const archive = await fetch(`${depot.url}/api/v1/repositories/${proxy}/download-archive?format=tar.gz`, {
          headers: asTeam,
        });
        expect(archive.status).toBe(200);
        const tar = gunzipSync(Buffer.from(await archive.arrayBuffer())).toString('latin1');
        expect(tar).toContain('docs/ok.txt');
        expect(tar).not.toContain('secret');
      }
      const all = await admin.get<{ artifacts: unknown[] }>('/api/v1/repositories/team-group-raw/artifacts?q=txt');
      expect(all.body.artifacts).toHaveLength(3);
    });

    it('a write landing in the secret member is 403 and stores nothing', async () => {
      const res = await put('team-group-raw', 'planted.txt', 'x', asTeam);
      expect([res.status, await errorCode(res)]).toEqual([403, 'FORBIDDEN']);
      expect((await get('secret-raw', 'planted.txt', adminAuth())).status).toBe(404);
      const over = await put('team-group-raw', 'docs/secret.txt', 'overwritten', asTeam);
      expect(over.status).toBe(403);
      expect(await (await get('secret-raw', 'docs/secret.txt', adminAuth())).text()).toBe('secret');
    });

    it('a delete touching the secret member is 403 and deletes nothing', async () => {
      for (const path of ['same.txt', 'docs/secret.txt']) {
        const res = await fetch(`${depot.url}/repository/team-group-raw/${path}`, {
          method: 'DELETE',
          headers: asTeam,
        });
        expect([res.status, await errorCode(res)]).toEqual([403, 'FORBIDDEN']);
      }
      expect((await get('secret-raw', 'same.txt', adminAuth())).status).toBe(200);
      expect((await get('secret-raw', 'docs/secret.txt', adminAuth())).status).toBe(200);
      expect((await get('team-ok-raw', 'same.txt')).status).toBe(200);
    });
  });

  describe('docker proxies', () => {
    const docker = dockerClient(() => depot);
    let secretLayer: string;
    let secretManifest: string;

    const push = async (repo: string, image: string, tag: string, layerText: string): Promise<string> => {
      const layer = await docker.pushBlob(`${repo}/${image}`, layerText);
      const config = await docker.pushBlob(`${repo}/${image}`, `{"config":"${layerText}"}`);
      const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      };
      return (await docker.pushManifest(`${repo}/${image}`, tag, manifest)).digest;
    };
    const v2 = (path: string, init: RequestInit = {}) =>
      fetch(`${depot.url}/v2/${path}`, { ...init, headers: { ...asTeam, ...init.headers } });

    beforeAll(async () => {
      secretManifest = await push('secret-docker', 'app', 'v1', 'secret layer');
      secretLayer = sha256('secret layer');
      await push('secret-docker', 'hidden', 'v1', 'hidden layer');
      await push('team-ok-docker', 'app', 'ok', 'ok layer');
    });

    it('blobs, manifests, tags and the catalog skip the secret member', async () => {
      for (const proxy of ['team-group-docker', 'team-outer-docker']) {
        expect((await v2(`${proxy}/app/blobs/${secretLayer}`)).status).toBe(404);
        expect((await v2(`${proxy}/app/manifests/v1`)).status).toBe(404);
        expect((await v2(`${proxy}/app/manifests/${secretManifest}`)).status).toBe(404);
        expect((await v2(`${proxy}/app/blobs/${sha256('ok layer')}`)).status).toBe(200);
        const tags = await v2(`${proxy}/app/tags/list`);
        expect(((await tags.json()) as { tags: string[] }).tags).toEqual(['ok']);
        expect((await v2(`${proxy}/hidden/tags/list`)).status).toBe(404);
        const asAdmin = await fetch(`${depot.url}/v2/${proxy}/app/blobs/${secretLayer}`, { headers: adminAuth() });
        expect(asAdmin.status).toBe(200);
      }
      const catalog = (await (await v2('_catalog')).json()) as { repositories: string[] };
      expect(catalog.repositories).toContain('team-group-docker/app');
      expect(catalog.repositories.filter((r) => r.includes('hidden') || r.startsWith('secret-'))).toEqual([]);
    });

    it('a push landing in the secret member is 403 DENIED and stores nothing', async () => {
      const bytes = 'planted layer';
      const res = await v2(`team-group-docker/app/blobs/uploads/?digest=${sha256(bytes)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect([res.status, await errorCode(res)]).toEqual([403, 'DENIED']);
      const session = await v2('team-group-docker/app/blobs/uploads/', { method: 'POST' });
      expect(session.status).toBe(403);
      const held = await fetch(`${depot.url}/v2/secret-docker/app/blobs/${sha256(bytes)}`, {
        method: 'HEAD',
        headers: adminAuth(),
      });
      expect(held.status).toBe(404);
    });

    it('deletes landing in the secret member are 403 and delete nothing', async () => {
      const manifest = await v2(`team-group-docker/app/manifests/${secretManifest}`, { method: 'DELETE' });
      expect([manifest.status, await errorCode(manifest)]).toEqual([403, 'DENIED']);
      const blob = await v2(`team-group-docker/app/blobs/${secretLayer}`, { method: 'DELETE' });
      expect(blob.status).toBe(403);
      const still = await fetch(`${depot.url}/v2/secret-docker/app/manifests/v1`, {
        headers: { ...adminAuth(), accept: OCI_MANIFEST },
      });
      expect(still.status).toBe(200);
    });

    it('a cross-repository mount cannot copy a blob from a member the caller may not read', async () => {
      for (const from of ['secret-docker/app', 'team-group-docker/app', 'team-outer-docker/app']) {
        const res = await v2(`team-ok-docker/app/blobs/uploads/?mount=${secretLayer}&from=${from}`, { method: 'POST' });
        expect(res.status).toBe(202); // no mount: a plain upload session instead
      }
      expect((await v2(`team-ok-docker/app/blobs/${secretLayer}`)).status).toBe(404);
    });
  });

  describe('npm proxies', () => {
    const npmPut = (repo: string, name: string, version: string, headers: Record<string, string>) =>
      fetch(`${depot.url}/repository/${repo}/${name}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(publishBody(name, version, packageTgz(name, version))),
      });
    const get = (path: string, headers: Record<string, string> = asTeam) =>
      fetch(`${depot.url}/repository/${path}`, { headers });

    beforeAll(async () => {
      for (const [repo, name, version] of [
        ['secret-npm', 'secretpkg', '1.0.0'],
        ['secret-npm', 'shared', '1.0.0'],
        ['team-ok-npm', 'shared', '2.0.0'],
      ] as const) {
        const res = await npmPut(repo, name, version, adminAuth());
        expect(res.status, await res.text()).toBe(201);
      }
    });

    it('packuments, dist-tags, tarballs and search show nothing of the secret member', async () => {
      for (const proxy of ['team-group-npm', 'team-outer-npm']) {
        // The admin's merge comes first: it must not be served to the team user from a cache.
        const full = (await (await get(`${proxy}/shared`, adminAuth())).json()) as { versions: object };
        expect(Object.keys(full.versions).sort()).toEqual(['1.0.0', '2.0.0']);
        const doc = (await (await get(`${proxy}/shared`)).json()) as { versions: object; 'dist-tags': object };
        expect(Object.keys(doc.versions)).toEqual(['2.0.0']);
        expect(doc['dist-tags']).toEqual({ latest: '2.0.0' });
        const tags = await get(`${proxy}/-/package/shared/dist-tags`);
        expect(await tags.json()).toEqual({ latest: '2.0.0' });
        expect((await get(`${proxy}/secretpkg`)).status).toBe(404);
        expect((await get(`${proxy}/secretpkg/-/secretpkg-1.0.0.tgz`)).status).toBe(404);
        expect((await get(`${proxy}/shared/-/shared-1.0.0.tgz`)).status).toBe(404);
        expect((await get(`${proxy}/shared/-/shared-2.0.0.tgz`)).status).toBe(200);
        const search = (await (await get(`${proxy}/-/v1/search?text=secretpkg`)).json()) as { objects: unknown[] };
        expect(search.objects).toEqual([]);
        expect((await get(`${proxy}/secretpkg`, adminAuth())).status).toBe(200);
      }
    });

    it('publishing through the group into the secret member is 403 and stores nothing', async () => {
      const res = await npmPut('team-group-npm', 'planted', '1.0.0', asTeam);
      expect(res.status).toBe(403);
      expect((await get('secret-npm/planted', adminAuth())).status).toBe(404);
      expect((await get('team-group-npm/shared?write=true')).status).toBe(403);
    });

    it('unpublishing through the group from the secret member is 403 and deletes nothing', async () => {
      const rev = ((await (await get('secret-npm/secretpkg', adminAuth())).json()) as { _rev: string })._rev;
      const res = await fetch(`${depot.url}/repository/team-group-npm/secretpkg/-rev/${rev}`, {
        method: 'DELETE',
        headers: asTeam,
      });
      expect(res.status).toBe(403);
      const tarball = await fetch(
        `${depot.url}/repository/team-group-npm/secretpkg/-/secretpkg-1.0.0.tgz/-rev/${rev}`,
        {
          method: 'DELETE',
          headers: asTeam,
        },
      );
      expect(tarball.status).toBe(403);
      expect((await get('secret-npm/secretpkg', adminAuth())).status).toBe(200);
      expect((await get('secret-npm/secretpkg/-/secretpkg-1.0.0.tgz', adminAuth())).status).toBe(200);
    });
  });

  describe('helm proxies', () => {
    const get = (path: string, headers: Record<string, string> = asTeam) =>
      fetch(`${depot.url}/repository/${path}`, { headers });
    const putChart = (repo: string, name: string, version: string, headers: Record<string, string>) =>
      fetch(`${depot.url}/repository/${repo}/${name}-${version}.tgz`, {
        method: 'PUT',
        headers,
        body: chartTgz(name, version),
      });

    beforeAll(async () => {
      for (const [repo, name, version] of [
        ['secret-helm', 'secretchart', '1.0.0'],
        ['secret-helm', 'shared', '1.0.0'],
        ['team-ok-helm', 'shared', '2.0.0'],
      ] as const) {
        expect((await putChart(repo, name, version, adminAuth())).status).toBe(201);
      }
    });

    it('index.yaml, the ChartMuseum reads and chart downloads leave out the member the caller may not read', async () => {
      for (const proxy of ['team-group-helm', 'team-outer-helm']) {
        const index = await (await get(`${proxy}/index.yaml`)).text();
        expect(index).not.toContain('secretchart');
        expect(index).toContain('version: 2.0.0');
        expect(index).not.toContain('version: 1.0.0');
        expect(await (await get(`${proxy}/api/charts`)).json()).not.toHaveProperty('secretchart');
        expect((await get(`${proxy}/api/charts/secretchart`)).status).toBe(404);
        expect((await get(`${proxy}/secretchart-1.0.0.tgz`)).status).toBe(404);
        expect((await get(`${proxy}/shared-1.0.0.tgz`)).status).toBe(404);
        expect((await get(`${proxy}/shared-2.0.0.tgz`)).status).toBe(200);
        // The admin's merge (every member) is never the one served to the team, nor the other way round.
        expect(await (await get(`${proxy}/index.yaml`, adminAuth())).text()).toContain('secretchart');
        expect(await (await get(`${proxy}/index.yaml`)).text()).not.toContain('secretchart');
      }
    });

    it('uploading or deleting through the group into the secret member is 403 and changes nothing', async () => {
      expect((await putChart('team-group-helm', 'planted', '1.0.0', asTeam)).status).toBe(403);
      expect((await get('secret-helm/planted-1.0.0.tgz', adminAuth())).status).toBe(404);
      const del = await fetch(`${depot.url}/repository/team-group-helm/api/charts/secretchart/1.0.0`, {
        method: 'DELETE',
        headers: asTeam,
      });
      expect(del.status).toBe(403);
      expect((await get('secret-helm/secretchart-1.0.0.tgz', adminAuth())).status).toBe(200);
    });
  });
});
