import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithMoto } from '@depot/testkit';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiClient, api, basicAuth } from './helpers/api.js';
import { CLI_PATH } from './helpers/build-once.js';
import { type DepotProcess, startDepot } from './helpers/depot-process.js';

// Backup of a real instance with raw, docker and npm content; restore into an empty instance on
// the other store type (LevelDB + files → DynamoDB + S3 on moto, and back); the real clients read
// the same bytes from the restored instances.
const run = promisify(execFile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `depot backup|restore …` with the built CLI; its exit code and output. */
function depotCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The entry names of a tar file, in order. */
async function tarNames(file: string): Promise<string[]> {
  const names: string[] = [];
  const ex = extract();
  createReadStream(file).pipe(ex);
  for await (const entry of ex) {
    names.push(entry.header.name);
    entry.resume();
  }
  return names;
}

describeWithMoto('backup and restore (raw, docker, npm; level+fs ⇄ dynamodb+s3)', () => {
  let work: string;
  let source: DepotProcess;
  let admin: ApiClient;
  const started: DepotProcess[] = [];
  const rawSmall = Buffer.from('hello backup\n');
  const rawBig = randomBytes(3 * 1024 * 1024 + 7);
  let npmTarballSha = '';
  let imageDigest = '';

  const skopeo = (args: string[]) => run('skopeo', ['--insecure-policy', ...args], { cwd: work, timeout: 120_000 });
  const host = (d: DepotProcess) => d.url.replace('http://', '');
  const creds = () => `admin:${source.adminPassword}`;

  /** The manifest digest skopeo sees for the image in `d`. */
  const remoteDigest = async (d: DepotProcess): Promise<string> => {
    const { stdout } = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--creds',
      creds(),
      '--format',
      '{{.Digest}}',
      `docker://${host(d)}/docker-h/team/app:1`,
    ]);
    return stdout.trim();
  };

  const npmrcFor = (d: DepotProcess): string => {
    const file = join(work, `npmrc-${d.port}`);
    const auth = Buffer.from(creds()).toString('base64');
    writeFileSync(file, `//127.0.0.1:${d.port}/repository/npm-h/:_auth=${auth}\n`);
    return file;
  };
  const npm = (d: DepotProcess, args: string[], cwd = work) =>
    run(
      'npm',
      [
        ...args,
        '--userconfig',
        npmrcFor(d),
        '--cache',
        join(work, `npm-cache-${d.port}`),
        '--registry',
        `${d.url}/repository/npm-h/`,
      ],
      { cwd, env: { ...process.env, npm_config_loglevel: 'warn' }, timeout: 120_000 },
    );

  /** Fetches `path` from `d` as the source's admin. */
  const get = (d: DepotProcess, path: string) =>
    fetch(`${d.url}${path}`, { headers: { authorization: basicAuth('admin', source.adminPassword) } });

  /** What every restored instance must serve exactly as the source did. */
  async function expectSameContent(d: DepotProcess): Promise<void> {
    const small = await get(d, '/repository/raw-h/docs/hello.txt');
    expect(small.status).toBe(200);
    expect(Buffer.from(await small.arrayBuffer())).toEqual(rawSmall);
    const big = await get(d, '/repository/raw-h/bin/big.bin');
    expect(big.status).toBe(200);
    expect(sha256(Buffer.from(await big.arrayBuffer()))).toBe(sha256(rawBig));

    // skopeo pulls the image: same manifest digest, layers verified by skopeo on the way.
    expect(await remoteDigest(d)).toBe(imageDigest);
    const out = join(work, `pulled-${d.port}`);
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      creds(),
      `docker://${host(d)}/docker-h/team/app:1`,
      `oci:${out}:app`,
    ]);

    // npm installs the package from a clean cache; the tarball is byte for byte the published one.
    const project = join(work, `project-${d.port}`);
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await npm(d, ['install', 'backup-demo@1.0.0', '--no-audit', '--no-fund'], project);
    expect(readFileSync(join(project, 'node_modules/backup-demo/index.js'), 'utf8')).toBe('module.exports = 42;\n');
    const tarball = await get(d, '/repository/npm-h/backup-demo/-/backup-demo-1.0.0.tgz');
    expect(tarball.status).toBe(200);
    expect(sha256(Buffer.from(await tarball.arrayBuffer()))).toBe(npmTarballSha);
  }

  beforeAll(async () => {
    const missing = ['npm', 'skopeo', 'umoci'].filter((b) => !has(b));
    if (missing.length > 0)
      throw new Error(`missing clients: ${missing.join(', ')} (run scripts/install-test-deps.sh)`);
    work = mkdtempSync(join(tmpdir(), 'depot-backup-'));
    source = await startDepot();
    started.push(source);
    admin = api(source);
    for (const [name, format] of [
      ['raw-h', 'raw'],
      ['docker-h', 'docker'],
      ['npm-h', 'npm'],
    ]) {
      const res = await admin.post('/api/v1/repositories', { name, format, repo_type: 'hosted', store: 'default' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const auth = { authorization: admin.authorization };
    for (const [path, body] of [
      ['docs/hello.txt', rawSmall],
      ['bin/big.bin', rawBig],
    ] as const) {
      const res = await fetch(`${source.url}/repository/raw-h/${path}`, { method: 'PUT', headers: auth, body });
      expect(res.status).toBe(201);
    }
    // The same bytes under a second path: one blob, two artifacts.
    const dup = await fetch(`${source.url}/repository/raw-h/copy/hello.txt`, {
      method: 'PUT',
      headers: auth,
      body: rawSmall,
    });
    expect(dup.status).toBe(201);

    await run('umoci', ['init', '--layout', 'layout'], { cwd: work });
    await run('umoci', ['new', '--image', 'layout:app'], { cwd: work });
    writeFileSync(join(work, 'payload.bin'), randomBytes(256 * 1024));
    await run('umoci', ['insert', '--image', 'layout:app', 'payload.bin', '/payload.bin'], { cwd: work });
    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds(),
      'oci:layout:app',
      `docker://${host(source)}/docker-h/team/app:1`,
    ]);
    imageDigest = await remoteDigest(source);
    expect(imageDigest).toMatch(/^sha256:/);

    const pkg = join(work, 'pkg');
    mkdirSync(pkg);
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'backup-demo', version: '1.0.0', main: 'index.js', license: 'MIT' }),
    );
    writeFileSync(join(pkg, 'index.js'), 'module.exports = 42;\n');
    await npm(source, ['publish', pkg]);
    const tarball = await get(source, '/repository/npm-h/backup-demo/-/backup-demo-1.0.0.tgz');
    expect(tarball.status).toBe(200);
    npmTarballSha = sha256(Buffer.from(await tarball.arrayBuffer()));
  }, 300_000);

  afterAll(async () => {
    for (const d of started) await d.stop().catch(() => undefined);
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('GET /api/v1/backup streams the archive; restored into DynamoDB + S3, skopeo, npm and raw GET read identical bytes', async () => {
    const res = await get(source, '/api/v1/backup');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="depot-backup-.*\.tar"$/);
    const archive = join(work, 'from-level.tar');
    writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
    const names = await tarNames(archive);
    expect(names[0]).toBe('depot-backup.json');
    expect(names.at(-1)).toBe('end.json');
    expect(names.some((n) => n.startsWith('kv/'))).toBe(true);
    // Dedup survives: the two raw artifacts with the same bytes are one blob in the archive.
    const blobEntries = names.filter((n) => n.startsWith('blob/'));
    expect(new Set(blobEntries).size).toBe(blobEntries.length);
    expect(statSync(archive).size).toBeGreaterThan(rawBig.byteLength);

    // A backup is an audited event.
    const audit = await admin.get<{ events: { action: string }[] }>('/api/v1/audit?action=backup');
    expect(audit.body.events.length).toBe(1);

    let restoreOutput = '';
    let restoreWarnings = '';
    const cloud = await startDepot({
      backend: 'dynamodb-s3',
      beforeSpawn: (dir) => {
        const r = depotCli(['restore', '-c', join(dir, 'depot.toml'), archive]);
        restoreOutput = r.stdout;
        expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
        restoreWarnings = r.stderr;
      },
    });
    started.push(cloud);
    const summary = JSON.parse(restoreOutput) as { blobs: number; corrupt_blobs: string[]; rewritten_records: number };
    expect(summary.blobs, restoreWarnings).toBe(blobEntries.length);
    expect(summary.corrupt_blobs).toEqual([]);
    expect(summary.rewritten_records).toBeGreaterThan(0);
    await expectSameContent(cloud);
    // Users came along: the source's admin password works, the target's generated one does not.
    const other = await fetch(`${cloud.url}/api/v1/repositories`, {
      headers: { authorization: basicAuth('admin', cloud.adminPassword) },
    });
    expect(other.status).toBe(401);

    // And back: `depot backup` of the running DynamoDB instance, restored into LevelDB + files.
    const back = join(work, 'from-cloud.tar');
    const b = depotCli(['backup', '-c', join(cloud.dataDir, 'depot.toml'), '-o', back]);
    expect(b.code, b.stderr).toBe(0);
    const local = await startDepot({
      beforeSpawn: (dir) => {
        const r = depotCli(['restore', '-c', join(dir, 'depot.toml'), back]);
        expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      },
    });
    started.push(local);
    await expectSameContent(local);

    // Restoring over content is refused, naming why; the instance is untouched.
    await local.stop();
    const again = depotCli(['restore', '-c', join(local.dataDir, 'depot.toml'), back]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/needs an empty instance.*users, repositories, artifacts/);
  }, 600_000);

  it('a cut archive fails the restore, and a server refuses to start on the half-restored store', async () => {
    const res = await get(source, '/api/v1/backup');
    const whole = Buffer.from(await res.arrayBuffer());
    const cut = join(work, 'cut.tar');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.byteLength * 0.6)));
    let cli: ReturnType<typeof depotCli> | undefined;
    await expect(
      startDepot({
        timeoutMs: 10_000,
        beforeSpawn: (dir) => {
          cli = depotCli(['restore', '-c', join(dir, 'depot.toml'), cut]);
        },
      }),
    ).rejects.toThrow(/restore that did not finish/);
    expect(cli?.code).toBe(2);
    expect(cli?.stderr).toMatch(/cut short|end of file|unexpected end/i);

    const notTar = join(work, 'not.tar');
    writeFileSync(notTar, 'hello');
    const empty = mkdtempSync(join(work, 'empty-'));
    writeFileSync(
      join(empty, 'depot.toml'),
      `[kv_store]\ntype = "level"\npath = ${JSON.stringify(join(empty, 'kv'))}\n`,
    );
    const r = depotCli(['restore', '-c', join(empty, 'depot.toml'), notTar]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cut short or not a tar file|not a depot backup archive/);
  }, 300_000);

  it('only administrators may download a backup', async () => {
    const anon = await fetch(`${source.url}/api/v1/backup`);
    expect(anon.status).toBe(401);
  });
});
