import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRpm, createrepo, hasRpmTools, LAB_APP, LAB_TOOL } from '../../../packages/format-yum/test/rpmbuild.js';
import { type ApiClient, api } from './helpers/api.js';
import { type DepotProcess, freePort, startDepot } from './helpers/depot-process.js';

// A hosted Yum repository driven by the real dnf: rpmbuild makes two packages — lab-tool ships
// /usr/bin/lab-tool, lab-app requires that file — they are uploaded with PUT, and dnf resolves the
// file dependency from the generated filelists and installs both into a private installroot.
const run = promisify(execFile);
const hasDnf = spawnSync('sh', ['-c', 'command -v dnf']).status === 0;

let depot: DepotProcess;
let admin: ApiClient;
let work: string;
let rpms: { tool: string; app: string };
let upstream: ChildProcess | undefined;

beforeAll(async () => {
  if (!hasDnf || !hasRpmTools())
    throw new Error('dnf, rpmbuild and createrepo_c are needed (scripts/install-test-deps.sh)');
  depot = await startDepot();
  admin = api(depot);
  const res = await admin.post('/api/v1/repositories', {
    name: 'yum-h',
    format: 'yum',
    repo_type: 'hosted',
    store: 'default',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  work = mkdtempSync(join(tmpdir(), 'depot-yum-e2e-'));
  rpms = { tool: buildRpm(work, LAB_TOOL), app: buildRpm(work, LAB_APP) };
}, 120_000);

afterAll(async () => {
  upstream?.kill();
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const put = (path: string, body: Uint8Array) =>
  fetch(`${depot.url}/repository/yum-h/${path}`, {
    method: 'PUT',
    headers: { authorization: admin.authorization },
    body,
  });

/** The real dnf with a private configuration, cache and installroot. */
async function dnf(args: string[], repo = 'yum-h', gpgKeyFile?: string): Promise<string> {
  const root = join(work, 'root');
  const repos = join(work, 'repos.d');
  mkdirSync(repos, { recursive: true });
  writeFileSync(
    join(repos, 'depot.repo'),
    [
      '[depot]',
      `name=Depot ${repo}`,
      `baseurl=${depot.url}/repository/${repo}/`,
      'enabled=1',
      'gpgcheck=0',
      ...(gpgKeyFile === undefined ? ['repo_gpgcheck=0'] : ['repo_gpgcheck=1', `gpgkey=file://${gpgKeyFile}`]),
      'metadata_expire=0',
      'username=admin',
      `password=${depot.adminPassword}`,
      '',
    ].join('\n'),
  );
  const conf = join(work, 'dnf.conf');
  writeFileSync(conf, `[main]\nreposdir=${repos}\ncachedir=${join(work, 'cache')}\nkeepcache=0\ninstall_weak_deps=0\n`);
  mkdirSync(join(root, 'var/log'), { recursive: true });
  try {
    // --noplugins: Debian's dnf ships a "local" plugin that copies every downloaded package into a
    // host-wide repository, which would then satisfy later installs without asking Depot.
    const { stdout } = await run(
      'dnf',
      ['-c', conf, '--noplugins', '--installroot', root, '--releasever', '1', ...args],
      {
        timeout: 180_000,
      },
    );
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`dnf ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

describe('yum hosted repository with the real dnf', () => {
  it('PUT two rpms; dnf makecache, resolves a file dependency from filelists and installs both', async () => {
    const tool = await put('el/lab-tool-1.2-3.noarch.rpm', readFileSync(rpms.tool));
    expect(tool.status, await tool.clone().text()).toBe(201);
    expect(await tool.json()).toMatchObject({ name: 'lab-tool', version: '1.2', release: '3', arch: 'noarch' });
    const app = await put('el/lab-app-2.0-1.noarch.rpm', readFileSync(rpms.app));
    expect(app.status).toBe(201);
    // The same bytes again are accepted as they are.
    expect((await put('el/lab-app-2.0-1.noarch.rpm', readFileSync(rpms.app))).status).toBe(200);

    const repomd = await fetch(`${depot.url}/repository/yum-h/repodata/repomd.xml`, {
      headers: { authorization: admin.authorization },
    });
    expect(repomd.status).toBe(200);
    const xml = await repomd.text();
    for (const type of ['primary', 'filelists', 'other']) {
      const href = new RegExp(`<location href="(repodata/[0-9a-f]{64}-${type}\\.xml\\.gz)"/>`).exec(xml)?.[1];
      expect(href, type).toBeDefined();
      const file = await fetch(`${depot.url}/repository/yum-h/${href}`, {
        headers: { authorization: admin.authorization },
      });
      expect(file.status).toBe(200);
    }

    // repomd.xml is signed with the repository's own key: dnf checks it with repo_gpgcheck=1, and
    // refuses it when given another repository's key.
    const keyOf = async (repo: string) => {
      const res = await fetch(`${depot.url}/repository/${repo}/repodata/repomd.xml.key`, {
        headers: { authorization: admin.authorization },
      });
      expect(res.status).toBe(200);
      const file = join(work, `${repo}.key`);
      writeFileSync(file, await res.text());
      return file;
    };
    expect(
      (
        await admin.post('/api/v1/repositories', {
          name: 'yum-other',
          format: 'yum',
          repo_type: 'hosted',
          store: 'default',
        })
      ).status,
    ).toBe(201);
    const refused = await dnf(['-y', 'makecache'], 'yum-h', await keyOf('yum-other')).catch((e: Error) => e.message);
    expect(refused).toMatch(/repomd\.xml GPG signature verification error/);
    rmSync(join(work, 'cache'), { recursive: true, force: true });
    rmSync(join(work, 'root'), { recursive: true, force: true });
    await dnf(['-y', 'makecache'], 'yum-h', await keyOf('yum-h'));
    const provides = await dnf(['repoquery', '--whatprovides', '/usr/bin/lab-tool']);
    expect(provides).toContain('lab-tool-0:1.2-3.noarch');
    await dnf(['-y', 'install', 'lab-app']);
    expect(readFileSync(join(work, 'root/usr/share/lab-app/README'), 'utf8')).toBe('app\n');
    expect(existsSync(join(work, 'root/usr/bin/lab-tool'))).toBe(true);
  });

  it('a deleted package leaves the repodata; dnf no longer offers it', async () => {
    const del = await fetch(`${depot.url}/repository/yum-h/el/lab-app-2.0-1.noarch.rpm`, {
      method: 'DELETE',
      headers: { authorization: admin.authorization },
    });
    expect(del.status).toBe(204);
    const gone = await fetch(`${depot.url}/repository/yum-h/el/lab-app-2.0-1.noarch.rpm`, {
      headers: { authorization: admin.authorization },
    });
    expect(gone.status).toBe(404);
    const list = await dnf(['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name}']);
    expect(list.split('\n').filter((l) => l.startsWith('lab-'))).toEqual(['lab-tool']);
  });

  it('bad uploads are 4xx with a JSON error and leave nothing visible', async () => {
    const good = readFileSync(rpms.tool);
    const cases: [string, Uint8Array, RegExp][] = [
      ['el/lab-tool-9.9-9.noarch.rpm', good, /does not match the package's headers \(lab-tool-1\.2-3\.noarch\.rpm\)/],
      ['el/not-an-rpm-1-1.noarch.rpm', Buffer.from('hello, not an rpm'), /not a valid RPM package/],
      ['el/trunc-1-1.noarch.rpm', good.subarray(0, 300), /not a valid RPM package/],
      ['el/../../x/lab-tool-1.2-3.noarch.rpm', good, /./],
      ['repodata/lab-tool-1.2-3.noarch.rpm', good, /under a repodata\/ directory/],
    ];
    for (const [path, body, message] of cases) {
      const res = await put(path, body);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      const text = await res.text();
      expect(text, path).toMatch(message);
    }
    // Other bytes under a taken name (a rebuild of the same NEVRA) are refused.
    const rebuilt = buildRpm(join(work, 'rebuilt'), {
      ...LAB_TOOL,
      files: { ...LAB_TOOL.files, '/usr/share/lab/data.txt': 'other data\n' },
    });
    const other = await put('el/lab-tool-1.2-3.noarch.rpm', readFileSync(rebuilt));
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: { code: 'CONFLICT' } });
    const list = await admin.get<{ artifacts: { path: string }[] }>('/api/v1/repositories/yum-h/artifacts?prefix=el');
    expect(list.body.artifacts.map((a) => a.path)).toEqual(['el/lab-tool-1.2-3.noarch.rpm']);
  });
});

describe('yum cache of an rpm-md mirror, and a proxy merging it with the hosted repository', () => {
  it('dnf installs through the proxy (lab-app from the mirror needs /usr/bin/lab-tool from hosted), again after the mirror stops', async () => {
    // The mirror: createrepo_c over lab-app only, served by python's http.server.
    const mirror = join(work, 'mirror');
    mkdirSync(mirror, { recursive: true });
    writeFileSync(join(mirror, 'lab-app-2.0-1.noarch.rpm'), readFileSync(rpms.app));
    writeFileSync(join(mirror, 'lab-tool-1.2-3.noarch.rpm'), readFileSync(rpms.tool));
    createrepo(mirror);
    // The mirror then serves other bytes than its own primary lists for lab-tool.
    const tampered = buildRpm(join(work, 'tampered'), {
      ...LAB_TOOL,
      files: { ...LAB_TOOL.files, '/usr/share/lab/data.txt': 'tampered\n' },
    });
    writeFileSync(join(mirror, 'lab-tool-1.2-3.noarch.rpm'), readFileSync(tampered));
    const port = await freePort();
    upstream = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', mirror], {
      stdio: 'ignore',
    });
    const upstreamUrl = `http://127.0.0.1:${port}/`;
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(`${upstreamUrl}repodata/repomd.xml`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const body of [
      {
        name: 'yum-cache',
        repo_type: 'cache',
        format: 'yum',
        store: 'default',
        upstream_url: upstreamUrl,
        cache_ttl_secs: 1,
      },
      { name: 'yum-group', repo_type: 'proxy', format: 'yum', store: 'default', members: ['yum-h', 'yum-cache'] },
    ]) {
      const res = await admin.post('/api/v1/repositories', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    // The cache checks packages against the mirror's primary: the tampered one is refused, not kept.
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await fetch(`${depot.url}/repository/yum-cache/lab-tool-1.2-3.noarch.rpm`, {
        headers: { authorization: admin.authorization },
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      const text = await refused.text();
      expect(text).toMatch(/contradicts the expected content|DIGEST_MISMATCH/);
    }
    // A fresh installroot: lab-tool and lab-app are not installed there yet.
    rmSync(join(work, 'root'), { recursive: true, force: true });
    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const offered = await dnf(['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name}-%{evr}'], 'yum-group');
    expect(
      offered
        .split('\n')
        .filter((l) => l.startsWith('lab-'))
        .sort(),
    ).toEqual(['lab-app-1:2.0-1', 'lab-tool-1.2-3']);
    await dnf(['-y', 'install', 'lab-app'], 'yum-group');
    expect(readFileSync(join(work, 'root/usr/share/lab-app/README'), 'utf8')).toBe('app\n');
    expect(existsSync(join(work, 'root/usr/bin/lab-tool'))).toBe(true);

    // The cache verified and kept what it relayed: with the mirror gone it still serves.
    upstream.kill();
    upstream = undefined;
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(join(work, 'root'), { recursive: true, force: true });
    rmSync(join(work, 'cache'), { recursive: true, force: true });
    await dnf(['-y', '--refresh', 'install', 'lab-app'], 'yum-group');
    expect(readFileSync(join(work, 'root/usr/share/lab-app/README'), 'utf8')).toBe('app\n');
    const rpm = await fetch(`${depot.url}/repository/yum-cache/lab-app-2.0-1.noarch.rpm`, {
      headers: { authorization: admin.authorization },
    });
    expect(rpm.status).toBe(200);
    expect(Buffer.from(await rpm.arrayBuffer())).toEqual(readFileSync(rpms.app));
    const repomd = await fetch(`${depot.url}/repository/yum-cache/repodata/repomd.xml`, {
      headers: { authorization: admin.authorization },
    });
    expect(repomd.status).toBe(200);
  });
});

describe('repodata_depth: one repodata root per directory, as Nexus groups them', () => {
  it('with depth 1, el8/ and el9/ each list their own packages; dnf sees only its root', async () => {
    const bad = await admin.post('/api/v1/repositories', {
      name: 'yum-bad-depth',
      format: 'yum',
      repo_type: 'hosted',
      store: 'default',
      repodata_depth: 6,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('repodata_depth');
    const res = await admin.post('/api/v1/repositories', {
      name: 'yum-depth',
      format: 'yum',
      repo_type: 'hosted',
      store: 'default',
      repodata_depth: 1,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const putTo = (path: string, body: Uint8Array) =>
      fetch(`${depot.url}/repository/yum-depth/${path}`, {
        method: 'PUT',
        headers: { authorization: admin.authorization },
        body,
      });
    expect((await putTo('el8/x86_64/lab-tool-1.2-3.noarch.rpm', readFileSync(rpms.tool))).status).toBe(201);
    expect((await putTo('el9/lab-tool-1.2-3.noarch.rpm', readFileSync(rpms.tool))).status).toBe(201);
    expect((await putTo('el9/lab-app-2.0-1.noarch.rpm', readFileSync(rpms.app))).status).toBe(201);
    const shallow = await putTo('lab-tool-1.2-3.noarch.rpm', readFileSync(rpms.tool));
    expect(shallow.status).toBe(400);
    expect(await shallow.text()).toContain('at least 1 directories deep');
    const get = (path: string) =>
      fetch(`${depot.url}/repository/yum-depth/${path}`, { headers: { authorization: admin.authorization } });
    expect((await get('repodata/repomd.xml')).status).toBe(404);
    expect((await get('el8/x86_64/repodata/repomd.xml')).status).toBe(404);

    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const el8 = await dnf(
      ['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name} %{location}'],
      'yum-depth/el8',
    );
    expect(el8.split('\n').filter((l) => l.startsWith('lab-'))).toEqual(['lab-tool x86_64/lab-tool-1.2-3.noarch.rpm']);
    const el9 = await dnf(['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name}'], 'yum-depth/el9');
    expect(
      el9
        .split('\n')
        .filter((l) => l.startsWith('lab-'))
        .sort(),
    ).toEqual(['lab-app', 'lab-tool']);
    rmSync(join(work, 'root'), { recursive: true, force: true });
    await dnf(['-y', 'install', 'lab-tool'], 'yum-depth/el8');
    expect(existsSync(join(work, 'root/usr/bin/lab-tool'))).toBe(true);
  });
});

describe('POST upload (multipart form, as curl -F and Nexus forms send)', () => {
  it('files the package under the directory field, in either field order; a form without a file is a 400', async () => {
    const res = await admin.post('/api/v1/repositories', {
      name: 'yum-form',
      format: 'yum',
      repo_type: 'hosted',
      store: 'default',
    });
    expect(res.status).toBe(201);
    const post = (form: FormData) =>
      fetch(`${depot.url}/repository/yum-form/upload`, {
        method: 'POST',
        headers: { authorization: admin.authorization },
        body: form,
      });
    const fileFirst = new FormData();
    fileFirst.append('file', new Blob([readFileSync(rpms.tool)]), 'lab-tool-1.2-3.noarch.rpm');
    fileFirst.append('directory', '/tools/');
    const a = await post(fileFirst);
    expect(a.status, await a.clone().text()).toBe(201);
    expect(await a.json()).toMatchObject({ path: 'tools/lab-tool-1.2-3.noarch.rpm', name: 'lab-tool' });
    const repomdBefore = await (
      await fetch(`${depot.url}/repository/yum-form/repodata/repomd.xml`, {
        headers: { authorization: admin.authorization },
      })
    ).text();
    const primaryBefore = /href="(repodata\/[0-9a-f]{64}-primary\.xml\.gz)"/.exec(repomdBefore)?.[1];
    const directoryFirst = new FormData();
    directoryFirst.append('directory', 'apps');
    directoryFirst.append('file', new Blob([readFileSync(rpms.app)]), 'lab-app-2.0-1.noarch.rpm');
    expect((await post(directoryFirst)).status).toBe(201);
    // A client that read the previous repomd.xml still gets the primary it names.
    const stale = await fetch(`${depot.url}/repository/yum-form/${primaryBefore}`, {
      headers: { authorization: admin.authorization },
    });
    expect(stale.status).toBe(200);
    const noFile = new FormData();
    noFile.append('directory', 'x');
    const bad = await post(noFile);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('no file part');
    const traversal = new FormData();
    traversal.append('directory', '../escape');
    traversal.append('file', new Blob([readFileSync(rpms.tool)]), 'lab-tool-1.2-3.noarch.rpm');
    expect((await post(traversal)).status).toBe(400);

    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const listed = await dnf(['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name} %{location}'], 'yum-form');
    expect(
      listed
        .split('\n')
        .filter((l) => l.startsWith('lab-'))
        .sort(),
    ).toEqual(['lab-app apps/lab-app-2.0-1.noarch.rpm', 'lab-tool tools/lab-tool-1.2-3.noarch.rpm']);
  });
});

describe('snapshots: the metadata frozen under a name', () => {
  it('a snapshot keeps listing what the repository held when it was taken; dnf installs from it', async () => {
    expect(
      (
        await admin.post('/api/v1/repositories', {
          name: 'yum-snap',
          format: 'yum',
          repo_type: 'hosted',
          store: 'default',
        })
      ).status,
    ).toBe(201);
    const call = (method: string, path: string, body?: Uint8Array) =>
      fetch(`${depot.url}/repository/yum-snap/${path}`, {
        method,
        headers: { authorization: admin.authorization },
        ...(body === undefined ? {} : { body }),
      });
    expect((await call('PUT', 'el/lab-tool-1.2-3.noarch.rpm', readFileSync(rpms.tool))).status).toBe(201);
    const taken = await call('POST', 'snapshots/before-app');
    expect(taken.status, await taken.clone().text()).toBe(201);
    expect(await taken.json()).toMatchObject({ snapshot: 'before-app', packages: 1 });
    expect((await call('POST', 'snapshots/before-app')).status).toBe(409);
    const badName = await call('POST', 'snapshots/-bad-name');
    expect(badName.status).toBe(400);
    expect(await badName.text()).toContain('invalid snapshot name');
    expect((await call('PUT', 'el/lab-app-2.0-1.noarch.rpm', readFileSync(rpms.app))).status).toBe(201);
    expect((await call('PUT', 'snapshots/lab-app-2.0-1.noarch.rpm', readFileSync(rpms.app))).status).toBe(400);
    expect(await (await call('GET', 'snapshots')).json()).toEqual({ snapshots: ['before-app'] });
    expect((await call('GET', 'snapshots/before-app/repodata/repomd.xml.asc')).status).toBe(200);

    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const frozen = await dnf(
      ['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name}'],
      'yum-snap/snapshots/before-app',
    );
    expect(frozen.split('\n').filter((l) => l.startsWith('lab-'))).toEqual(['lab-tool']);
    const live = await dnf(['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name}'], 'yum-snap');
    expect(
      live
        .split('\n')
        .filter((l) => l.startsWith('lab-'))
        .sort(),
    ).toEqual(['lab-app', 'lab-tool']);
    rmSync(join(work, 'root'), { recursive: true, force: true });
    await dnf(['-y', 'install', 'lab-tool'], 'yum-snap/snapshots/before-app');
    expect(existsSync(join(work, 'root/usr/bin/lab-tool'))).toBe(true);

    expect((await call('DELETE', 'snapshots/before-app')).status).toBe(204);
    expect((await call('GET', 'snapshots/before-app/repodata/repomd.xml')).status).toBe(404);
    expect(await (await call('GET', 'snapshots')).json()).toEqual({ snapshots: [] });
  });
});

describe('signing keys through the admin API: show, import, rotate', () => {
  it('an imported key signs repomd.xml at once (dnf verifies with it); rotation replaces it and reports the old one', async () => {
    const gnupg = join(work, 'gnupg');
    mkdirSync(gnupg, { recursive: true, mode: 0o700 });
    const gpg = (args: string[]) => run('gpg', ['--homedir', gnupg, '--batch', '--yes', ...args], { timeout: 60_000 });
    await gpg([
      '--passphrase',
      '',
      '--quick-gen-key',
      'Imported Key <imported@example.com>',
      'ed25519',
      'sign',
      'never',
    ]);
    const secret = (await gpg(['--armor', '--export-secret-keys'])).stdout;
    const publicFile = join(work, 'imported.pub');
    writeFileSync(publicFile, (await gpg(['--armor', '--export'])).stdout);
    const fingerprint = /^fpr:::::::::([0-9A-F]{40}):/m.exec(
      (await gpg(['--with-colons', '--fingerprint'])).stdout,
    )?.[1];
    expect(fingerprint).toBeDefined();

    const before = await admin.get<{ fingerprint: string; public_key: string }>(
      '/api/v1/repositories/yum-h/signing-key',
    );
    expect(before.status).toBe(200);
    expect(before.body.public_key).toContain('BEGIN PGP PUBLIC KEY BLOCK');

    const anonymous = await admin.put(
      '/api/v1/repositories/yum-h/signing-key',
      { private_key: secret },
      { anonymous: true },
    );
    expect(anonymous.status).toBe(401);
    const notAKey = await admin.put('/api/v1/repositories/yum-h/signing-key', { private_key: 'hello' });
    expect(notAKey.status).toBe(400);
    const imported = await admin.put<{ fingerprint: string; previous_fingerprint: string }>(
      '/api/v1/repositories/yum-h/signing-key',
      { private_key: secret },
    );
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ fingerprint, previous_fingerprint: before.body.fingerprint });

    const makecache = async (keyFile: string) => {
      rmSync(join(work, 'cache'), { recursive: true, force: true });
      rmSync(join(work, 'root'), { recursive: true, force: true });
      return dnf(['-y', 'makecache'], 'yum-h', keyFile).then(
        () => 'ok',
        (err: Error) => err.message,
      );
    };
    expect(await makecache(publicFile)).toBe('ok');

    const rotated = await admin.post<{ fingerprint: string; previous_fingerprint: string; public_key: string }>(
      '/api/v1/repositories/yum-h/signing-key/rotate',
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.previous_fingerprint).toBe(fingerprint);
    expect(rotated.body.fingerprint).not.toBe(fingerprint);
    expect(await makecache(publicFile)).toMatch(/repomd\.xml GPG signature verification error/);
    const rotatedFile = join(work, 'rotated.pub');
    writeFileSync(rotatedFile, rotated.body.public_key);
    expect(await makecache(rotatedFile)).toBe('ok');

    const raw = await admin.get('/api/v1/repositories/yum-cache/signing-key');
    expect(raw.status).toBe(400);
  });
});

describe('deleting through the admin API', () => {
  it('bulk delete of a hosted yum repository takes the packages out of its repodata too', async () => {
    expect(
      (
        await admin.post('/api/v1/repositories', {
          name: 'yum-bulk',
          format: 'yum',
          repo_type: 'hosted',
          store: 'default',
        })
      ).status,
    ).toBe(201);
    for (const [path, file] of [
      ['a/lab-tool-1.2-3.noarch.rpm', rpms.tool],
      ['b/lab-app-2.0-1.noarch.rpm', rpms.app],
    ] as const) {
      const res = await fetch(`${depot.url}/repository/yum-bulk/${path}`, {
        method: 'PUT',
        headers: { authorization: admin.authorization },
        body: readFileSync(file),
      });
      expect(res.status).toBe(201);
    }
    const bulk = await admin.post<{ deleted: number }>('/api/v1/repositories/yum-bulk/bulk-delete', { prefix: 'b/' });
    expect(bulk.body.deleted).toBe(1);
    const task = await admin.post<{ result: { deleted: number } }>('/api/v1/tasks/bulk-delete?wait=true', {
      repo: 'yum-bulk',
      prefix: 'a/',
    });
    expect(task.body.result.deleted).toBe(1);
    rmSync(join(work, 'cache'), { recursive: true, force: true });
    const listed = await dnf(['--refresh', 'repoquery', '--repo', 'depot', '--qf', '%{name}'], 'yum-bulk');
    expect(listed.split('\n').filter((l) => l.startsWith('lab-'))).toEqual([]);
  });
});
