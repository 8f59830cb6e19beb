import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, basicAuth, type DepotProcess, startDepot } from './helpers/depot-process.js';
import { cmPush, fetchIndex, type HelmRepo, packageChart, pullChart } from './helpers/helm-client.js';

let depot: DepotProcess;
let work: string;
let repo: HelmRepo;
let mutable: HelmRepo;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** `curl -u admin:… -T {file} {repo}/`: the plain HTTP upload. */
const putFile = (target: HelmRepo, file: string, name = file.split('/').pop() ?? '') =>
  fetch(`${target.url}/${name}`, {
    method: 'PUT',
    headers: target.auth === undefined ? {} : { authorization: target.auth },
    body: readFileSync(file),
  });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'depot-helm-hosted-'));
  depot = await startDepot();
  const client = api(depot);
  for (const body of [
    { name: 'charts', repo_type: 'hosted' },
    { name: 'charts-mutable', repo_type: 'hosted', format_options: { allow_redeploy: true } },
  ]) {
    const res = await client.post('/api/v1/repositories', { format: 'helm', store: 'default', ...body });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }
  const auth = basicAuth('admin', depot.adminPassword);
  repo = { url: `${depot.url}/repository/charts`, auth };
  mutable = { url: `${depot.url}/repository/charts-mutable`, auth };
}, 120_000);

afterAll(async () => {
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('a hosted Helm repository, driven like helm', () => {
  it('curl -T uploads, cm-push publishes with provenance, helm pulls both with the index digests', async () => {
    const web = await packageChart(work, 'web', '1.0.0', {
      chartYaml:
        'apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: "2.4"\ndescription: the web tier\nkeywords: [web]\nmaintainers:\n- name: Ann\n  email: ann@example.com\ndependencies:\n- name: cache\n  version: 0.x\n  repository: https://charts.example.com\nannotations:\n  category: Web\nkubeVersion: ">=1.25.0"\n',
    });
    const put = await putFile(repo, web);
    expect(put.status).toBe(201);

    const api2 = await packageChart(work, 'api', '0.2.0');
    const prov = join(work, 'api-0.2.0.tgz.prov');
    writeFileSync(
      prov,
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nname: api\nversion: 0.2.0\n...\nfiles:\n  api-0.2.0.tgz: sha256:00\n-----BEGIN PGP SIGNATURE-----\n\nwsBc\n-----END PGP SIGNATURE-----\n',
    );
    const pushed = await cmPush(repo, api2, { prov });
    expect(pushed.status).toBe(201);
    expect(await pushed.json()).toEqual({ saved: true });

    const index = await fetchIndex(repo);
    expect(index.apiVersion).toBe('v1');
    expect(Object.keys(index.entries)).toEqual(['api', 'web']);
    const pulled = await pullChart(repo, 'web');
    expect(pulled.bytes.equals(readFileSync(web))).toBe(true);
    expect(pulled.entry).toMatchObject({
      apiVersion: 'v2',
      appVersion: '2.4',
      description: 'the web tier',
      keywords: ['web'],
      maintainers: [{ name: 'Ann', email: 'ann@example.com' }],
      dependencies: [{ name: 'cache', version: '0.x', repository: 'https://charts.example.com' }],
      annotations: { category: 'Web' },
      kubeVersion: '>=1.25.0',
      urls: ['web-1.0.0.tgz'],
      digest: sha256(readFileSync(web)),
      created: expect.any(String),
    });
    expect(pulled.chart).toMatchObject({ name: 'web', version: '1.0.0' });
    expect((await pullChart(repo, 'api', '0.2.0')).chart).toMatchObject({ name: 'api', version: '0.2.0' });
    // `helm pull --verify` fetches the provenance file beside the chart URL.
    const provRes = await fetch(`${pulled.url.replace('web-1.0.0', 'api-0.2.0')}.prov`, {
      headers: { authorization: repo.auth ?? '' },
    });
    expect(provRes.status).toBe(200);
    expect(await provRes.text()).toBe(readFileSync(prov, 'utf8'));
  });

  it('anonymous callers get 401 with the Basic challenge', async () => {
    const res = await fetch(`${repo.url}/index.yaml`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="depot"');
  });

  it('a new version is in the very next index read, newest first', async () => {
    for (const version of ['1.2.0', '1.10.0', '2.0.0-rc.1']) {
      expect((await putFile(repo, await packageChart(work, 'web', version))).status).toBe(201);
    }
    const index = await fetchIndex(repo);
    expect(index.entries.web?.map((v) => v.version)).toEqual(['2.0.0-rc.1', '1.10.0', '1.2.0', '1.0.0']);
    expect((await pullChart(repo, 'web')).entry.version).toBe('1.10.0');
  });

  it('ChartMuseum reads: /api/charts, /api/charts/{name}, /api/charts/{name}/{version}', async () => {
    const auth = { authorization: repo.auth ?? '' };
    const all = (await (await fetch(`${repo.url}/api/charts`, { headers: auth })).json()) as Record<string, unknown[]>;
    expect(Object.keys(all)).toEqual(['api', 'web']);
    const versions = (await (await fetch(`${repo.url}/api/charts/api`, { headers: auth })).json()) as unknown[];
    expect(versions).toHaveLength(1);
    const one = await fetch(`${repo.url}/api/charts/api/0.2.0`, { headers: auth });
    expect(await one.json()).toMatchObject({ name: 'api', version: '0.2.0', urls: ['api-0.2.0.tgz'] });
    const missing = await fetch(`${repo.url}/api/charts/nope/1.0.0`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: expect.any(String), code: 'NOT_FOUND' });
  });

  it('an existing version: PUT and cm-push are 409, cm-push --force too unless the repository allows redeploy', async () => {
    const first = await packageChart(work, 'svc', '1.0.0', { values: 'first: true\n' });
    expect((await cmPush(repo, first)).status).toBe(201);
    const second = await packageChart(work, 'svc', '1.0.0', { values: 'second: true\n' });
    const again = await cmPush(repo, second);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'file already exists', code: 'CONFLICT' });
    expect((await cmPush(repo, second, { force: true })).status).toBe(409);
    expect((await putFile(repo, second)).status).toBe(409);
    expect((await pullChart(repo, 'svc', '1.0.0')).bytes.equals(readFileSync(first))).toBe(false);

    const v1 = await packageChart(work, 'svc', '1.0.0', { values: 'v: 1\n' });
    expect((await cmPush(mutable, v1)).status).toBe(201);
    const v2 = await packageChart(work, 'svc', '1.0.0', { values: 'v: 2\n' });
    expect((await cmPush(mutable, v2)).status).toBe(409);
    expect((await cmPush(mutable, v2, { force: true })).status).toBe(201);
    expect((await pullChart(mutable, 'svc', '1.0.0')).bytes.equals(readFileSync(v2))).toBe(true);
  });

  it('DELETE /api/charts/{name}/{version} removes the chart from the index and the store', async () => {
    const res = await fetch(`${repo.url}/api/charts/svc/1.0.0`, {
      method: 'DELETE',
      headers: { authorization: repo.auth ?? '' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: true });
    expect((await fetchIndex(repo)).entries.svc).toBeUndefined();
    const gone = await fetch(`${repo.url}/svc-1.0.0.tgz`, { headers: { authorization: repo.auth ?? '' } });
    expect(gone.status).toBe(404);
  });

  it('charts and the index survive a restart', async () => {
    await depot.restart();
    expect(Object.keys((await fetchIndex(repo)).entries)).toEqual(['api', 'web']);
    expect((await pullChart(repo, 'web', '1.0.0')).chart).toMatchObject({ name: 'web' });
  });
});
