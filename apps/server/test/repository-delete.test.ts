import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { publishBody as cargoPublishBody, crateFile, metadataOf } from '../../../packages/format-cargo/test/helpers.js';
import { makeWheel, twineFields, uploadForm } from '../../../packages/format-pypi/test/fixtures.js';
import { dockerClient, OCI_MANIFEST } from './helpers/docker.js';
import { tgz } from './helpers/tarball.js';
import { describeEachBackend, useDepot } from './helpers/use-depot.js';

// Deleting a repository removes the records its format keeps of its own (npm packuments and
// integrity pins, Docker images, tags, referrers, blob references, PyPI projects and simple pages), so a new repository of the same
// name starts empty instead of showing the old one's metadata.

function publishBody(name: string, version: string): string {
  const tarball = tgz({ 'package/package.json': JSON.stringify({ name, version }), 'package/index.js': '1;\n' });
  return JSON.stringify({
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        name,
        version,
        dist: {
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
          shasum: createHash('sha1').update(tarball).digest('hex'),
          tarball: `http://x/${name}/-/${name}-${version}.tgz`,
        },
      },
    },
    _attachments: {
      [`${name}-${version}.tgz`]: {
        content_type: 'application/octet-stream',
        data: tarball.toString('base64'),
        length: tarball.byteLength,
      },
    },
  });
}

describeEachBackend('deleting a repository', (backend) => {
  const depot = useDepot({ backend });
  const { client: admin } = depot;
  const { auth, pushBlob, pushManifest } = dockerClient(() => depot);

  const create = (name: string, format: string) =>
    admin.post('/api/v1/repositories', { name, repo_type: 'hosted', format, store: 'default' });

  /** Deletes `name` and creates it again once the drain has freed the name. */
  async function deleteAndRecreate(name: string, format: string): Promise<void> {
    expect((await admin.delete(`/api/v1/repositories/${name}`)).status).toBe(204);
    for (let i = 0; i < 100; i++) {
      const again = await create(name, format);
      if (again.status === 201) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`repository ${name} could not be created again`);
  }

  const publish = (repo: string, name: string, version: string) =>
    fetch(`${depot.url}/repository/${repo}/${name}`, {
      method: 'PUT',
      headers: { authorization: admin.authorization, 'content-type': 'application/json' },
      body: publishBody(name, version),
    });

  it('npm: the old packument does not come back in a new repository of the same name', async () => {
    expect((await create('npm-leak', 'npm')).status).toBe(201);
    expect((await publish('npm-leak', 'leaky-pkg', '1.0.0')).status).toBe(201);
    await deleteAndRecreate('npm-leak', 'npm');
    const packument = await fetch(`${depot.url}/repository/npm-leak/leaky-pkg`, {
      headers: { authorization: admin.authorization },
    });
    expect(packument.status).toBe(404);
    await packument.arrayBuffer();
    expect((await publish('npm-leak', 'leaky-pkg', '1.0.0')).status).toBe(201);
  });

  it('helm: the old index.yaml and chart records do not come back', async () => {
    expect((await create('helm-leak', 'helm')).status).toBe(201);
    const chart = tgz({ 'leaky/Chart.yaml': 'apiVersion: v2\nname: leaky\nversion: 1.0.0\n' });
    const headers = { authorization: admin.authorization };
    const put = await fetch(`${depot.url}/repository/helm-leak/leaky-1.0.0.tgz`, {
      method: 'PUT',
      headers,
      body: chart,
    });
    expect(put.status).toBe(201);
    const before = await fetch(`${depot.url}/repository/helm-leak/index.yaml`, { headers });
    expect(await before.text()).toContain('leaky');
    await deleteAndRecreate('helm-leak', 'helm');
    const after = await fetch(`${depot.url}/repository/helm-leak/index.yaml`, { headers });
    expect(after.status).toBe(200);
    expect(await after.text()).not.toContain('leaky');
    const api2 = await fetch(`${depot.url}/repository/helm-leak/api/charts/leaky`, { headers });
    expect(api2.status).toBe(404);
    await api2.arrayBuffer();
  });

  it('pypi: the old project and its simple pages do not come back', async () => {
    const wheel = makeWheel('leaky-py', '1.0');
    const post = () => {
      const form = uploadForm(wheel, twineFields(wheel, 'leaky-py', '1.0'));
      return fetch(`${depot.url}/repository/py-leak/`, {
        method: 'POST',
        headers: { authorization: admin.authorization, 'content-type': form.contentType },
        body: form.body,
      });
    };
    const page = (path: string) =>
      fetch(`${depot.url}/repository/py-leak/${path}`, {
        headers: { authorization: admin.authorization, accept: 'application/vnd.pypi.simple.v1+json' },
      });
    expect((await create('py-leak', 'pypi')).status).toBe(201);
    expect((await post()).status).toBe(200);
    expect((await page('simple/leaky-py/')).status).toBe(200);
    await deleteAndRecreate('py-leak', 'pypi');
    expect((await page('simple/leaky-py/')).status).toBe(404);
    expect(await (await page('simple/')).json()).toMatchObject({ projects: [] });
    // The same file uploads again: no "File already exists" left over.
    expect((await post()).status).toBe(200);
  });

  it('docker: the old image, tags and blob references do not come back', async () => {
    expect((await create('docker-leak', 'docker')).status).toBe(201);
    const config = await pushBlob('docker-leak/app', JSON.stringify({ architecture: 'amd64', os: 'linux' }));
    const layer = await pushBlob('docker-leak/app', 'a layer');
    await pushManifest('docker-leak/app', 'v1', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    });
    await deleteAndRecreate('docker-leak', 'docker');
    const tags = await fetch(`${depot.url}/v2/docker-leak/app/tags/list`, { headers: auth() });
    expect(tags.status).toBe(404);
    expect(((await tags.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('NAME_UNKNOWN');
    // A blob pushed again can be deleted: no stale reference from the old manifest holds it.
    const again = await pushBlob('docker-leak/app', 'a layer');
    const del = await fetch(`${depot.url}/v2/docker-leak/app/blobs/${again.digest}`, {
      method: 'DELETE',
      headers: auth(),
    });
    expect(del.status).toBe(202);
  });

  it('cargo: the old crates and index files do not come back', async () => {
    const publishCrate = () =>
      fetch(`${depot.url}/repository/cargo-leak/api/v1/crates/new`, {
        method: 'PUT',
        headers: auth(),
        body: cargoPublishBody(metadataOf('leaky', '1.0.0'), crateFile('leaky', '1.0.0')),
      });
    expect((await create('cargo-leak', 'cargo')).status).toBe(201);
    expect((await publishCrate()).status).toBe(200);
    await deleteAndRecreate('cargo-leak', 'cargo');
    const index = await fetch(`${depot.url}/repository/cargo-leak/index/le/ak/leaky`, { headers: auth() });
    expect(index.status).toBe(404);
    await index.arrayBuffer();
    // The same version publishes again: no "already uploaded" left over.
    expect((await publishCrate()).status).toBe(200);
  });
});
