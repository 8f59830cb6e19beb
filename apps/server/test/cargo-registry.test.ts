import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CargoSandbox, cargoSandbox, lockOf, requireCargo, writeLib } from './helpers/cargo-client.js';
import { api, type DepotProcess, startDepot } from './helpers/depot-process.js';

const run = promisify(execFile);
let depot: DepotProcess;
let sandbox: CargoSandbox;

beforeAll(async () => {
  await requireCargo();
  // A second Depot user to become a crate owner.
  depot = await startDepot({
    toml: `[[initialization.users]]\nusername = "release-bot"\npassword = "release-bot-pw-1"\nroles = []\nmust_change_password = false\n`,
  });
  const admin = api(depot);
  for (const body of [
    { name: 'crates', repo_type: 'hosted', format: 'cargo', store: 'default' },
    {
      name: 'crates-all',
      repo_type: 'proxy',
      format: 'cargo',
      store: 'default',
      members: ['crates'],
      write_member: 'crates',
    },
  ]) {
    const res = await admin.post('/api/v1/repositories', body);
    if (res.status !== 201) throw new Error(`creating ${body.name}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const login = await admin.post<{ token: string }>(
    '/api/v1/auth/login',
    { username: 'admin', password: depot.adminPassword },
    { anonymous: true },
  );
  const index = (repo: string) => `${depot.url}/repository/${repo}/index/`;
  sandbox = cargoSandbox(
    mkdtempSync(join(tmpdir(), 'depot-cargo-')),
    { depot: index('crates'), 'depot-all': index('crates-all') },
    login.body.token,
  );
}, 300_000);

let mirror: DepotProcess | undefined;
afterAll(async () => {
  await depot?.stop();
  await mirror?.stop();
});

describe('Cargo sparse registry with the real cargo', () => {
  it('publishes two crates (one using the other) and builds a program from the hosted registry', async () => {
    const alpha = sandbox.newCrate('alpha', '0.1.0');
    writeLib(alpha, 'pub fn name() -> &\'static str { "alpha" }\n');
    await sandbox.cargo(alpha, ['publish', '--registry', 'depot', '--allow-dirty', '--no-verify']);
    const beta = sandbox.newCrate('beta', '0.1.0', { deps: { alpha: '{ version = "0.1", registry = "depot" }' } });
    writeLib(beta, 'pub fn greet() -> String { format!("hello from beta and {}", alpha::name()) }\n');
    await sandbox.cargo(beta, ['publish', '--registry', 'depot', '--allow-dirty', '--no-verify']);

    const app = sandbox.newCrate('app', '0.1.0', {
      bin: true,
      deps: { beta: '{ version = "0.1", registry = "depot" }' },
    });
    await sandbox.cargo(app, ['build', '-q']);
    const { stdout } = await run(join(sandbox.root, 'target', 'debug', 'app'));
    expect(stdout.trim()).toBe('hello from beta and alpha');
    expect(lockOf(app)).toContain('name = "alpha"');
  });

  it('yanks, lists and adds owners, and searches through cargo', async () => {
    const alpha = sandbox.newCrate('alpha', '0.2.0');
    await sandbox.cargo(alpha, ['publish', '--registry', 'depot', '--allow-dirty', '--no-verify']);
    await sandbox.cargo(alpha, ['yank', '--registry', 'depot', 'alpha@0.2.0']);
    const index = await (
      await fetch(`${depot.url}/repository/crates/index/al/ph/alpha`, {
        headers: { authorization: api(depot).authorization },
      })
    ).text();
    expect(
      index
        .trim()
        .split('\n')
        .map((l) => [JSON.parse(l).vers, JSON.parse(l).yanked]),
    ).toEqual([
      ['0.1.0', false],
      ['0.2.0', true],
    ]);
    await sandbox.cargo(alpha, ['owner', '--registry', 'depot', '--add', 'release-bot', 'alpha']);
    const owners = await sandbox.cargo(alpha, ['owner', '--registry', 'depot', '--list', 'alpha']);
    expect(owners).toContain('admin');
    expect(owners).toContain('release-bot');
    await expect(
      sandbox.cargo(alpha, ['owner', '--registry', 'depot', '--add', 'nobody-here', 'alpha']),
    ).rejects.toThrow(/no Depot user nobody-here/);
    const found = await sandbox.cargo(alpha, ['search', '--registry', 'depot', 'alph']);
    expect(found).toContain('alpha = "0.1.0"');
    // Publishing a version again is refused with cargo's own error shape, which cargo prints.
    await expect(
      sandbox.cargo(alpha, ['publish', '--registry', 'depot', '--allow-dirty', '--no-verify']),
    ).rejects.toThrow(/already uploaded/);
  });

  it('builds through a proxy of the hosted registry', async () => {
    const app = sandbox.newCrate('proxied', '0.1.0', {
      bin: true,
      deps: { beta: '{ version = "0.1", registry = "depot-all" }' },
    });
    writeLib(app, '');
    await sandbox.cargo(app, ['build', '-q']);
    const { stdout } = await run(join(sandbox.root, 'target', 'debug', 'proxied'));
    expect(stdout.trim()).toBe('hello from beta and alpha');
  });

  it('builds through a cache of the registry in another Depot, and again once that upstream is stopped', async () => {
    mirror = await startDepot();
    const created = await api(mirror).post('/api/v1/repositories', {
      name: 'crates-mirror',
      repo_type: 'cache',
      format: 'cargo',
      store: 'default',
      upstream_url: `${depot.url}/repository/crates/index/`,
      upstream_auth: { username: 'admin', password: depot.adminPassword },
      cache_ttl_secs: 0,
    });
    expect(created.status).toBe(201);
    const login = await api(mirror).post<{ token: string }>(
      '/api/v1/auth/login',
      { username: 'admin', password: mirror.adminPassword },
      { anonymous: true },
    );
    const registries = { mirror: `${mirror.url}/repository/crates-mirror/index/` };
    const first = cargoSandbox(mkdtempSync(join(tmpdir(), 'depot-cargo-mirror-')), registries, login.body.token);
    const deps = { beta: '{ version = "0.1", registry = "mirror" }' };
    const app = first.newCrate('mirrored', '0.1.0', { bin: true, deps });
    await first.cargo(app, ['build', '-q']);
    expect((await run(join(first.root, 'target', 'debug', 'mirrored'))).stdout.trim()).toBe(
      'hello from beta and alpha',
    );

    // The upstream goes away: a fresh cargo (empty CARGO_HOME) still resolves and downloads from the cache.
    await depot.stop();
    const second = cargoSandbox(mkdtempSync(join(tmpdir(), 'depot-cargo-mirror-')), registries, login.body.token);
    const again = second.newCrate('mirrored', '0.1.0', { bin: true, deps });
    await second.cargo(again, ['build', '-q']);
    expect((await run(join(second.root, 'target', 'debug', 'mirrored'))).stdout.trim()).toBe(
      'hello from beta and alpha',
    );
  });
});
