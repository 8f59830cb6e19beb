import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { api, basicAuth, type DepotProcess, freePort, startDepot } from './helpers/depot-process.js';
import { cmPush, fetchIndex, type HelmRepo, packageChart, pullChart } from './helpers/helm-client.js';

let depot: DepotProcess;
let upstreamDepot: DepotProcess;
let python: ChildProcess | undefined;
let staticUrl: string;
let work: string;
let origin: HelmRepo;
const repoOf = (name: string): HelmRepo => ({
  url: `${depot.url}/repository/${name}`,
  auth: basicAuth('admin', depot.adminPassword),
});
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopPython(): Promise<void> {
  const child = python;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A static chart repository as `helm repo index` + any web server make one, served by python's http.server. */
async function startStaticRepo(): Promise<void> {
  const root = join(work, 'static');
  mkdirSync(join(root, 'repo', 'charts'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'), { recursive: true });
  const port = await freePort();
  staticUrl = `http://127.0.0.1:${port}`;
  const stat = await packageChart(work, 'stat', '0.1.0');
  renameSync(stat, join(root, 'repo', 'charts', 'stat-0.1.0.tgz'));
  const far = await packageChart(work, 'far', '0.2.0');
  renameSync(far, join(root, 'elsewhere', 'far-0.2.0.tgz'));
  const digest = (p: string) => sha256(readFileSync(join(root, p)));
  const now = new Date().toISOString();
  writeFileSync(
    join(root, 'repo', 'index.yaml'),
    stringify({
      apiVersion: 'v1',
      generated: now,
      entries: {
        stat: [
          {
            apiVersion: 'v2',
            name: 'stat',
            version: '0.1.0',
            created: now,
            digest: digest('repo/charts/stat-0.1.0.tgz'),
            urls: ['charts/stat-0.1.0.tgz'],
          },
        ],
        // An absolute URL outside the repository's base, as indexes pointing at release assets have.
        far: [
          {
            apiVersion: 'v2',
            name: 'far',
            version: '0.2.0',
            created: now,
            digest: digest('elsewhere/far-0.2.0.tgz'),
            urls: [`${staticUrl}/elsewhere/far-0.2.0.tgz`],
          },
        ],
      },
    }),
  );
  python = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '--directory', root], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${staticUrl}/repo/index.yaml`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error('python http.server did not start');
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'depot-helm-cache-'));
  upstreamDepot = await startDepot();
  expect(
    (
      await api(upstreamDepot).post('/api/v1/repositories', {
        name: 'origin',
        repo_type: 'hosted',
        format: 'helm',
        store: 'default',
      })
    ).status,
  ).toBeLessThan(300);
  origin = { url: `${upstreamDepot.url}/repository/origin`, auth: basicAuth('admin', upstreamDepot.adminPassword) };
  for (const version of ['1.0.0', '1.1.0'])
    expect((await cmPush(origin, await packageChart(work, 'up', version))).status).toBe(201);
  await startStaticRepo();

  depot = await startDepot();
  const repos = [
    { name: 'local', repo_type: 'hosted' },
    {
      name: 'from-depot',
      repo_type: 'cache',
      upstream_url: origin.url,
      cache_ttl_secs: 1,
      upstream_auth: { username: 'admin', password: upstreamDepot.adminPassword },
    },
    { name: 'from-static', repo_type: 'cache', upstream_url: `${staticUrl}/repo`, cache_ttl_secs: 1 },
    { name: 'all', repo_type: 'proxy', members: ['local', 'from-depot', 'from-static'], write_member: 'local' },
  ];
  for (const body of repos) {
    const res = await api(depot).post('/api/v1/repositories', { format: 'helm', store: 'default', ...body });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }
}, 180_000);

afterAll(async () => {
  await stopPython();
  await depot?.stop();
  await upstreamDepot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('Helm cache repositories over a second depot and a static index, and a proxy over them', () => {
  it('a cache of another depot: every chart URL points at this depot, charts verify and unpack', async () => {
    const cache = repoOf('from-depot');
    const index = await fetchIndex(cache);
    expect(index.entries.up?.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    const pulled = await pullChart(cache, 'up', '1.0.0');
    expect(pulled.url.startsWith(`${cache.url}/`)).toBe(true);
    expect(pulled.chart).toMatchObject({ name: 'up', version: '1.0.0' });
    expect(pulled.bytes.equals((await pullChart(origin, 'up', '1.0.0')).bytes)).toBe(true);
  });

  it('a cache of a static index: relative and absolute URLs (also on another path) are rewritten to this depot', async () => {
    const cache = repoOf('from-static');
    const index = await fetchIndex(cache);
    expect(index.entries.stat?.[0]?.urls).toEqual(['charts/stat-0.1.0.tgz']);
    expect(index.entries.far?.[0]?.urls[0]).not.toContain(staticUrl);
    for (const name of ['stat', 'far']) {
      const pulled = await pullChart(cache, name);
      expect(pulled.url.startsWith(`${cache.url}/`), pulled.url).toBe(true);
      expect(pulled.chart).toMatchObject({ name });
    }
  });

  it('the proxy merges its members, takes pushes into its write member, and serves every chart', async () => {
    const all = repoOf('all');
    expect((await cmPush(all, await packageChart(work, 'mine', '3.0.0'))).status).toBe(201);
    const index = await fetchIndex(all);
    expect(Object.keys(index.entries)).toEqual(['far', 'mine', 'stat', 'up']);
    for (const name of ['mine', 'up', 'stat', 'far']) {
      const pulled = await pullChart(all, name);
      expect(pulled.url.startsWith(`${all.url}/`), pulled.url).toBe(true);
      expect(pulled.chart).toMatchObject({ name });
    }
    expect(Object.keys((await fetchIndex(repoOf('local'))).entries)).toEqual(['mine']);
  });

  it('a version published upstream shows after the TTL', async () => {
    expect((await cmPush(origin, await packageChart(work, 'up', '1.2.0'))).status).toBe(201);
    await sleep(1_200);
    expect((await fetchIndex(repoOf('from-depot'))).entries.up?.map((v) => v.version)).toEqual([
      '1.2.0',
      '1.1.0',
      '1.0.0',
    ]);
    expect((await fetchIndex(repoOf('all'))).entries.up?.[0]?.version).toBe('1.2.0');
  });

  it('with both upstreams stopped, the cached index and charts are still served, directly and through the proxy', async () => {
    await upstreamDepot.stop();
    await stopPython();
    await sleep(1_200);
    for (const [repo, name, version] of [
      ['from-depot', 'up', '1.0.0'],
      ['from-static', 'stat', '0.1.0'],
      ['from-static', 'far', '0.2.0'],
      ['all', 'up', '1.0.0'],
      ['all', 'far', '0.2.0'],
    ] as const) {
      const pulled = await pullChart(repoOf(repo), name, version);
      expect(pulled.chart, `${repo} ${name}`).toMatchObject({ name, version });
    }
  });

  it('after a restart with the upstreams still down, the stale index maps external chart URLs again', async () => {
    await depot.restart();
    await sleep(1_200);
    expect((await pullChart(repoOf('all'), 'far', '0.2.0')).chart).toMatchObject({ name: 'far' });
    expect((await pullChart(repoOf('from-static'), 'far', '0.2.0')).chart).toMatchObject({ name: 'far' });
  });
});
