import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type DepotProcess, freePort, startDepot } from './helpers/depot-process.js';

// A hosted APT repository driven by the real apt-get (a private configuration: the machine's
// sources, lists and cache are untouched) and packages built by the real dpkg-deb.
const run = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

let depot: DepotProcess;
let mirror: DepotProcess | undefined;
let work: string;

/** Builds a .deb with dpkg-deb (`compression`: its -Z choice) and returns its path. */
function buildDeb(name: string, version: string, arch: string, extra: string[] = [], compression = 'xz'): string {
  const root = join(work, 'build', `${name}-${version}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr', 'share', name), { recursive: true });
  writeFileSync(join(root, 'usr', 'share', name, 'hello.txt'), `hello from ${name} ${version}\n`);
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    [
      `Package: ${name}`,
      `Version: ${version}`,
      `Architecture: ${arch}`,
      'Maintainer: Depot <depot@example.invalid>',
      ...extra,
      `Description: ${name} for the Depot e2e test`,
      ' A second description line.',
      '',
    ].join('\n'),
  );
  const out = join(work, `${name}_${version}_${arch}.deb`);
  const built = spawnSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '-b', root, out]);
  if (built.status !== 0) throw new Error(`dpkg-deb failed: ${built.stderr}`);
  return out;
}

/** An ar archive of `members` (name → bytes), as `ar` writes it. */
function ar(members: readonly (readonly [string, Buffer])[]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\x60\n`;
    parts.push(Buffer.from(header, 'latin1'), data);
    if (data.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** A .deb dpkg-deb would refuse to build: `control` as given, an empty data archive. */
function handMadeDeb(file: string, control: string): string {
  const dir = join(work, 'hand', file);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'control'), control);
  spawnSync('tar', ['czf', join(dir, 'control.tar.gz'), '-C', dir, './control']);
  spawnSync('tar', ['czf', join(dir, 'data.tar.gz'), '-T', '/dev/null']);
  const out = join(work, file);
  writeFileSync(
    out,
    ar([
      ['debian-binary', Buffer.from('2.0\n')],
      ['control.tar.gz', readFileSync(join(dir, 'control.tar.gz'))],
      ['data.tar.gz', readFileSync(join(dir, 'data.tar.gz'))],
    ]),
  );
  return out;
}

const upload = (file: string, query = '?distribution=stable') =>
  fetch(`${depot.url}/repository/apt-hosted/pool/${file.slice(file.lastIndexOf('/') + 1)}${query}`, {
    method: 'PUT',
    headers: { authorization: api(depot).authorization },
    body: readFileSync(file),
  });

/** apt-get with a private configuration under `dir`, trusting `keyring` for `url`. */
function aptGet(dir: string, url: string, keyring: string) {
  for (const d of ['state/lists/partial', 'cache/archives/partial', 'etc/preferences.d'])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc/sources.list'), `deb [signed-by=${keyring}] ${url} stable main\n`);
  writeFileSync(join(dir, 'status'), '');
  writeFileSync(join(dir, 'auth.conf'), `machine ${url} login admin password ${depot.adminPassword}\n`);
  const options = [
    `Dir::Etc::SourceList=${join(dir, 'etc/sources.list')}`,
    'Dir::Etc::SourceParts=/dev/null',
    `Dir::Etc::PreferencesParts=${join(dir, 'etc/preferences.d')}`,
    `Dir::Etc::netrc=${join(dir, 'auth.conf')}`,
    `Dir::State=${join(dir, 'state')}`,
    `Dir::State::status=${join(dir, 'status')}`,
    `Dir::Cache=${join(dir, 'cache')}`,
    'APT::Sandbox::User=root',
    'Acquire::Languages=none',
  ].flatMap((o) => ['-o', o]);
  return (args: string[], cwd = dir) => run('apt-get', [...options, ...args], { cwd, timeout: 120_000 });
}

beforeAll(async () => {
  const missing = ['apt-get', 'dpkg-deb'].filter((b) => !has(b));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: install apt and dpkg-dev`);
  work = mkdtempSync(join(tmpdir(), 'depot-apt-'));
  depot = await startDepot({
    toml: `
[[initialization.repositories]]
name = "apt-hosted"
repo_type = "hosted"
format = "apt"
store = "default"
`,
  });
}, 120_000);

afterAll(async () => {
  await mirror?.stop();
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('APT hosted repository with the real apt-get', () => {
  it('publishes packages (xz, gzip and zstd control data), and apt-get update verifies the signature and installs with dependencies', async () => {
    const lib = buildDeb('depot-hello-data', '1.0.0', 'all');
    const app = buildDeb('depot-hello', '1.2.0-1', 'amd64', ['Depends: depot-hello-data (>= 1.0)'], 'gzip');
    const extra = buildDeb('depot-extra', '0.1', 'amd64', [], 'zstd');
    for (const file of [lib, app, extra]) {
      const res = await upload(file);
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const keyring = join(work, 'depot.gpg');
    const key = await fetch(`${depot.url}/repository/apt-hosted/public.gpg`, {
      headers: { authorization: api(depot).authorization },
    });
    writeFileSync(keyring, Buffer.from(await key.arrayBuffer()));
    const url = `${depot.url}/repository/apt-hosted/`;
    const apt = aptGet(join(work, 'apt'), url, keyring);
    const update = await apt(['update']);
    expect(`${update.stdout}${update.stderr}`).not.toMatch(/NO_PUBKEY|not signed|W: GPG/);
    await apt(['install', '--download-only', '-y', '--no-install-recommends', 'depot-hello']);
    const archives = readdirSync(join(work, 'apt', 'cache', 'archives'))
      .filter((f) => f.endsWith('.deb'))
      .sort();
    expect(archives).toEqual(['depot-hello-data_1.0.0_all.deb', 'depot-hello_1.2.0-1_amd64.deb']);
    expect(
      readFileSync(join(work, 'apt', 'cache', 'archives', 'depot-hello_1.2.0-1_amd64.deb')).equals(readFileSync(app)),
    ).toBe(true);
    const dl = join(work, 'dl');
    mkdirSync(dl);
    await apt(['download', 'depot-extra'], dl);
    expect(readdirSync(dl)).toEqual(['depot-extra_0.1_amd64.deb']);
  });

  it('apt-get refuses a tampered InRelease', async () => {
    // A copy of the repository's indexes with one byte of the signed Release text changed.
    const mirror = join(work, 'mirror');
    const auth = { authorization: api(depot).authorization };
    mkdirSync(join(mirror, 'dists', 'stable', 'main', 'binary-amd64'), { recursive: true });
    for (const path of [
      'dists/stable/InRelease',
      'dists/stable/main/binary-amd64/Packages',
      'dists/stable/main/binary-amd64/Packages.gz',
    ]) {
      const res = await fetch(`${depot.url}/repository/apt-hosted/${path}`, { headers: auth });
      writeFileSync(join(mirror, path), Buffer.from(await res.arrayBuffer()));
    }
    const inRelease = readFileSync(join(mirror, 'dists/stable/InRelease'), 'utf8');
    writeFileSync(join(mirror, 'dists/stable/InRelease'), inRelease.replace('Origin: Depot', 'Origin: Evil!'));
    const port = await freePort();
    const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', mirror], {
      stdio: 'ignore',
    });
    try {
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(`http://127.0.0.1:${port}/`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const keyring = join(work, 'depot.gpg');
      const apt = aptGet(join(work, 'apt-evil'), `http://127.0.0.1:${port}/`, keyring);
      const result = await apt(['update']).then(
        (r) => `${r.stdout}${r.stderr}`,
        (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
      );
      // The same copy untampered passes (checked when this test was written): the signature is what fails.
      expect(result).toMatch(/BADSIG/);
      expect(readdirSync(join(work, 'apt-evil', 'state', 'lists')).filter((f) => f.includes('Packages'))).toEqual([]);
    } finally {
      server.kill();
    }
  });

  it('after a rotation apt-get refuses the old keyring and accepts the new public.gpg', async () => {
    const admin = api(depot);
    const before = await admin.get<{ fingerprint: string }>('/api/v1/repositories/apt-hosted/signing-key');
    expect(before.status).toBe(200);
    const oldKeyring = join(work, 'rotation-old.gpg');
    const fetchKey = async (file: string) => {
      const key = await fetch(`${depot.url}/repository/apt-hosted/public.gpg`, {
        headers: { authorization: admin.authorization },
      });
      writeFileSync(file, Buffer.from(await key.arrayBuffer()));
    };
    await fetchKey(oldKeyring);
    const url = `${depot.url}/repository/apt-hosted/`;
    const update = (keyring: string, dir: string) =>
      aptGet(
        join(work, dir),
        url,
        keyring,
      )(['update']).then(
        (r) => `${r.stdout}${r.stderr}`,
        (err: { stdout?: string; stderr?: string }) => `FAILED ${err.stdout ?? ''}${err.stderr ?? ''}`,
      );
    expect(await update(oldKeyring, 'rot-1')).not.toMatch(/FAILED|NO_PUBKEY|not signed|W: GPG/);
    const rotated = await admin.post<{ fingerprint: string; previous_fingerprint: string }>(
      '/api/v1/repositories/apt-hosted/signing-key/rotate',
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.previous_fingerprint).toBe(before.body.fingerprint);
    expect(await update(oldKeyring, 'rot-2')).toMatch(/NO_PUBKEY|not signed|W: GPG|FAILED/);
    const newKeyring = join(work, 'rotation-new.gpg');
    await fetchKey(newKeyring);
    expect(await update(newKeyring, 'rot-3')).not.toMatch(/FAILED|NO_PUBKEY|not signed|W: GPG/);
    // The tests after this one trust the repository's current key.
    writeFileSync(join(work, 'depot.gpg'), readFileSync(newKeyring));
  });

  it('refuses bad packages with a 4xx and lists nothing new: not an ar archive, no Version, a version with spaces, a name that disagrees', async () => {
    const before = await (
      await fetch(`${depot.url}/repository/apt-hosted/dists/stable/main/binary-amd64/Packages`, {
        headers: { authorization: api(depot).authorization },
      })
    ).text();
    const notAr = join(work, 'junk_1.0_all.deb');
    writeFileSync(notAr, 'this is not a package');
    expect((await upload(notAr)).status).toBe(400);
    const spaced = handMadeDeb(
      'depot-spaced_1.0_all.deb',
      'Package: depot-spaced\nVersion: 1.0 beta\nArchitecture: all\n',
    );
    expect((await upload(spaced)).status).toBe(400);
    const versionless = handMadeDeb('depot-noversion_1.0_all.deb', 'Package: depot-noversion\nArchitecture: all\n');
    expect((await upload(versionless)).status).toBe(400);
    const renamed = join(work, 'other-name_1.0.0_all.deb');
    cpSync(buildDeb('depot-named', '1.0.0', 'all'), renamed);
    expect((await upload(renamed)).status).toBe(400);
    const again = buildDeb('depot-hello-data', '1.0.0', 'all', ['Homepage: https://changed.example']);
    expect((await upload(again)).status).toBe(409);
    const after = await (
      await fetch(`${depot.url}/repository/apt-hosted/dists/stable/main/binary-amd64/Packages`, {
        headers: { authorization: api(depot).authorization },
      })
    ).text();
    expect(after).toBe(before);
  });

  it('a cache of the repository in another Depot keeps the upstream signature (apt verifies it with the upstream key, also once the upstream is stopped); a proxy over it re-signs merged indexes', async () => {
    mirror = await startDepot();
    const created = await api(mirror).post('/api/v1/repositories', {
      name: 'apt-mirror',
      repo_type: 'cache',
      format: 'apt',
      store: 'default',
      upstream_url: `${depot.url}/repository/apt-hosted/`,
      upstream_auth: { username: 'admin', password: depot.adminPassword },
      cache_ttl_secs: 0,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const url = `${mirror.url}/repository/apt-mirror/`;
    const keyring = join(work, 'depot.gpg');
    const dir = join(work, 'apt-mirror');
    const viaMirror = (args: string[], cwd = dir) => {
      mkdirSync(dir, { recursive: true });
      // The mirror's own credentials, not the upstream's.
      const apt = aptGet(dir, url, keyring);
      writeFileSync(join(dir, 'auth.conf'), `machine ${url} login admin password ${mirror?.adminPassword}\n`);
      return apt(args, cwd);
    };
    const update = await viaMirror(['update']);
    expect(`${update.stdout}${update.stderr}`).not.toMatch(/BADSIG|NO_PUBKEY|not signed/);
    const served = await fetch(`${url}dists/stable/InRelease`, {
      headers: { authorization: api(mirror).authorization },
    });
    const upstream = await fetch(`${depot.url}/repository/apt-hosted/dists/stable/InRelease`, {
      headers: { authorization: api(depot).authorization },
    });
    expect(await served.text()).toBe(await upstream.text());
    await viaMirror(['install', '--download-only', '-y', '--no-install-recommends', 'depot-hello']);
    await depot.stop();
    // The upstream is gone: the cached indexes and packages still serve and still verify.
    rmSync(join(dir, 'cache', 'archives'), { recursive: true, force: true });
    const again = await viaMirror(['update']);
    expect(`${again.stdout}${again.stderr}`).not.toMatch(/BADSIG|NO_PUBKEY/);
    await viaMirror(['install', '--download-only', '-y', '--no-install-recommends', 'depot-hello']);
    const archives = readdirSync(join(dir, 'cache', 'archives'))
      .filter((f) => f.endsWith('.deb'))
      .sort();
    expect(archives).toEqual(['depot-hello-data_1.0.0_all.deb', 'depot-hello_1.2.0-1_amd64.deb']);

    // A proxy over a hosted repository of the mirror and the cache: merged indexes, re-signed with
    // the proxy's own key; packages of both members install through it.
    const admin = api(mirror);
    for (const body of [
      { name: 'apt-local', repo_type: 'hosted', format: 'apt', store: 'default' },
      { name: 'apt-all', repo_type: 'proxy', format: 'apt', store: 'default', members: ['apt-local', 'apt-mirror'] },
    ]) {
      const res = await admin.post('/api/v1/repositories', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const local = buildDeb('depot-local', '3.0', 'amd64');
    const put = await fetch(`${mirror.url}/repository/apt-all/pool/depot-local_3.0_amd64.deb?distribution=stable`, {
      method: 'PUT',
      headers: { authorization: admin.authorization },
      body: readFileSync(local),
    });
    expect(put.status).toBe(201);
    const proxyKey = join(work, 'proxy.gpg');
    const key = await fetch(`${mirror.url}/repository/apt-all/public.gpg`, {
      headers: { authorization: admin.authorization },
    });
    writeFileSync(proxyKey, Buffer.from(await key.arrayBuffer()));
    const proxyUrl = `${mirror.url}/repository/apt-all/`;
    const proxyDir = join(work, 'apt-proxy');
    mkdirSync(proxyDir, { recursive: true });
    const viaProxy = (args: string[]) => {
      const apt = aptGet(proxyDir, proxyUrl, proxyKey);
      writeFileSync(join(proxyDir, 'auth.conf'), `machine ${proxyUrl} login admin password ${mirror?.adminPassword}\n`);
      return apt(args);
    };
    const proxied = await viaProxy(['update']);
    expect(`${proxied.stdout}${proxied.stderr}`).not.toMatch(/BADSIG|NO_PUBKEY|not signed/);
    await viaProxy(['install', '--download-only', '-y', '--no-install-recommends', 'depot-hello', 'depot-local']);
    expect(
      readdirSync(join(proxyDir, 'cache', 'archives'))
        .filter((f) => f.endsWith('.deb'))
        .sort(),
    ).toEqual(['depot-hello-data_1.0.0_all.deb', 'depot-hello_1.2.0-1_amd64.deb', 'depot-local_3.0_amd64.deb']);
  });
});
