import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { aptFormat } from '../src/index.js';
import { ar, debFile, debName, debWithControl } from './helpers.js';

let h: FormatHarness;
afterEach(async () => {
  await h?.close();
});

async function harness(): Promise<FormatHarness> {
  h = await createFormatHarness({ format: aptFormat(), principal: 'admin' });
  await h.createRepo({ name: 'deb', format_options: { architectures: ['amd64', 'arm64'] } });
  return h;
}

const put = (file: string, bytes: Uint8Array, query = '') =>
  h.request({ method: 'PUT', repo: 'deb', path: `pool/${file}`, body: bytes, ...(query === '' ? {} : { query }) });
const get = (path: string) => h.request({ method: 'GET', repo: 'deb', path });

describe('apt hosted repository', () => {
  it('files packages per distribution, component and architecture, folding Architecture: all into each', async () => {
    await harness();
    expect(
      (await put(debName('tool', '1.0-1', 'amd64'), debFile('tool', '1.0-1', 'amd64', 0, 'Depends: libfoo1\n'))).status,
    ).toBe(201);
    expect(
      (await put(debName('libfoo1', '2.0'), debFile('libfoo1', '2.0', 'all', 0, 'Source: foo (2.0)\n'))).status,
    ).toBe(201);
    expect(
      (
        await put(
          debName('tool', '2:1.1', 'arm64'),
          debFile('tool', '2:1.1', 'arm64'),
          'distribution=testing&component=contrib',
        )
      ).status,
    ).toBe(201);
    const amd64 = (await get('dists/stable/main/binary-amd64/Packages')).text();
    expect(amd64).toContain('Package: tool\nVersion: 1.0-1\nArchitecture: amd64');
    expect(amd64).toContain('Depends: libfoo1');
    expect(amd64).toContain('Filename: pool/main/f/foo/libfoo1_2.0_all.deb');
    expect(amd64).toMatch(
      /Filename: pool\/main\/t\/tool\/tool_1\.0-1_amd64\.deb\nSize: \d+\nMD5sum: [0-9a-f]{32}\nSHA1: [0-9a-f]{40}\nSHA256: [0-9a-f]{64}/,
    );
    expect(amd64).toContain('Description: tool\n test package');
    const arm64 = (await get('dists/stable/main/binary-arm64/Packages')).text();
    expect(arm64).toContain('Package: libfoo1');
    expect(arm64).not.toContain('Package: tool');
    const release = (await get('dists/stable/Release')).text();
    expect(release).toMatch(
      /^Origin: Depot\nLabel: deb\nSuite: stable\nCodename: stable\nDate: .+ UTC\nArchitectures: amd64 arm64\nComponents: main\n/,
    );
    expect(release).toMatch(/SHA256:\n( [0-9a-f]{64} +\d+ main\/binary-(amd64|arm64)\/Packages(\.gz)?\n){4}/);
    const testing = (await get('dists/testing/contrib/binary-arm64/Packages')).text();
    expect(testing).toContain('Filename: pool/contrib/t/tool/tool_1.1_arm64.deb');
    expect(testing).toContain('Version: 2:1.1');
    const inRelease = (await get('dists/stable/InRelease')).text();
    expect(inRelease).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA\d+\n\nOrigin: Depot/);
    expect((await get('dists/stable/Release.gpg')).text()).toContain('-----BEGIN PGP SIGNATURE-----');
    expect((await get('public.key')).text()).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    // A public-key packet (tag 6), in the old or the new packet format.
    expect([0x99, 0xc6]).toContain((await get('public.gpg')).body[0]);
    expect((await get('dists/unknown/Release')).status).toBe(404);
  });

  it('keeps one key per repository across requests, and a new generation changes the signed Release', async () => {
    await harness();
    expect((await put(debName('aa', '1'), debFile('aa', '1'))).status).toBe(201);
    const key = (await get('public.key')).text();
    const first = (await get('dists/stable/InRelease')).text();
    expect(first).toContain('Acquire-By-Hash: yes');
    const firstSha = /^ ([0-9a-f]{64}) +\d+ main\/binary-amd64\/Packages$/m.exec(
      first.slice(first.indexOf('SHA256:')),
    )?.[1];
    expect(firstSha).toBeDefined();
    expect((await put(debName('bb', '1'), debFile('bb', '1'))).status).toBe(201);
    expect((await get('public.key')).text()).toBe(key);
    const second = (await get('dists/stable/InRelease')).text();
    expect(second).not.toBe(first);
    expect(second).toContain('main/binary-amd64/Packages');
    // A client holding the first Release still finds its Packages by hash.
    const byHash = await get(`dists/stable/main/binary-amd64/by-hash/SHA256/${firstSha}`);
    expect(byHash.status).toBe(200);
    expect(byHash.text()).toContain('Package: aa');
    expect(byHash.text()).not.toContain('Package: bb');
    expect((await get(`dists/stable/main/binary-amd64/by-hash/SHA256/${'0'.repeat(64)}`)).status).toBe(404);
  });

  it('refuses bad packages with 4xx and stores nothing', async () => {
    await harness();
    const bad: [string, Uint8Array, number][] = [
      ['junk_1_all.deb', Buffer.from('not an ar archive at all'), 400],
      ['x_1_all.deb', ar([['control.tar.gz', Buffer.from('x')]]), 400],
      ['x_1_all.deb', ar([['debian-binary', Buffer.from('2.0\n')]]), 400],
      ['x_1_all.deb', debWithControl('Package: x\nArchitecture: all\n'), 400],
      ['x_1 beta_all.deb', debWithControl('Package: x\nVersion: 1 beta\nArchitecture: all\n'), 400],
      ['x_1_all.deb', debWithControl(' continuation first\nPackage: x\n'), 400],
      ['Bad_1_all.deb', debWithControl('Package: Bad\nVersion: 1\nArchitecture: all\n'), 400],
      ['other_1_all.deb', debFile('x', '1'), 400],
    ];
    for (const [file, bytes, status] of bad) {
      const res = await put(file, bytes);
      expect(res.status, `${file}: ${res.text()}`).toBe(status);
      expect(res.json<{ error: { code: string } }>().error.code).toEqual(expect.any(String));
    }
    // A control member claiming 200 MB is refused from its header, before anything is read.
    const header = `${'control.tar.gz'.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${'200000000'.padEnd(10)}\x60\n`;
    const huge = Buffer.concat([
      ar([['debian-binary', Buffer.from('2.0\n')]]),
      Buffer.from(header, 'latin1'),
      Buffer.alloc(1024),
    ]);
    expect((await put('huge_1_all.deb', huge)).status).toBe(413);
    expect((await h.engine.list('deb')).artifacts).toEqual([]);
  });

  it('the same version again: same bytes accepted, other bytes 409 (unless allow_redeploy)', async () => {
    await harness();
    expect((await put(debName('dup', '1'), debFile('dup', '1'))).status).toBe(201);
    expect((await put(debName('dup', '1'), debFile('dup', '1'))).status).toBe(201);
    expect((await put(debName('dup', '1'), debFile('dup', '1', 'all', 1))).status).toBe(409);
    await h.createRepo({ name: 'redeploy', format_options: { allow_redeploy: true } });
    const again = (variant: number) =>
      h.request({
        method: 'PUT',
        repo: 'redeploy',
        path: `pool/${debName('dup', '1')}`,
        body: debFile('dup', '1', 'all', variant),
      });
    const inTesting = (variant: number) =>
      h.request({
        method: 'PUT',
        repo: 'redeploy',
        path: `pool/${debName('dup', '1')}`,
        body: debFile('dup', '1', 'all', variant),
        query: 'distribution=testing',
      });
    expect((await again(0)).status).toBe(201);
    expect((await inTesting(0)).status).toBe(201);
    expect((await again(1)).status).toBe(201);
    // Both distributions now list the redeployed bytes.
    const sha = (text: string) => /^SHA256: (.+)$/m.exec(text)?.[1];
    const stable = (
      await h.request({ method: 'GET', repo: 'redeploy', path: 'dists/stable/main/binary-amd64/Packages' })
    ).text();
    const testing = (
      await h.request({ method: 'GET', repo: 'redeploy', path: 'dists/testing/main/binary-amd64/Packages' })
    ).text();
    expect(sha(testing)).toBe(sha(stable));
    const file = await h.request({ method: 'GET', repo: 'redeploy', path: 'pool/main/d/dup/dup_1_all.deb' });
    expect(file.body.equals(debFile('dup', '1', 'all', 1))).toBe(true);
  });

  it('deletes a package from a distribution; the pool file goes once no distribution lists it', async () => {
    await harness();
    const file = debName('gone', '1.0');
    expect((await put(file, debFile('gone', '1.0'))).status).toBe(201);
    expect((await put(file, debFile('gone', '1.0'), 'distribution=testing')).status).toBe(201);
    const pool = 'pool/main/g/gone/gone_1.0_all.deb';
    const del = (query: string) => h.request({ method: 'DELETE', repo: 'deb', path: pool, query });
    expect((await del('distribution=stable')).status).toBe(204);
    expect((await get('dists/stable/main/binary-amd64/Packages')).text()).not.toContain('Package: gone');
    expect((await get('dists/testing/main/binary-amd64/Packages')).text()).toContain('Package: gone');
    expect((await get(pool)).status).toBe(200);
    expect((await del('distribution=stable')).status).toBe(404);
    expect((await del('distribution=testing')).status).toBe(204);
    expect((await get(pool)).status).toBe(404);
    expect(
      (
        await h.request({
          method: 'DELETE',
          repo: 'deb',
          path: pool,
          query: 'distribution=testing',
          principal: 'anonymous',
        })
      ).status,
    ).toBe(401);
  });

  it('removeArtifact (bulk delete through the admin API) takes a pool file out of every distribution first', async () => {
    await harness();
    const file = debName('bulk', '1.0');
    expect((await put(file, debFile('bulk', '1.0'))).status).toBe(201);
    expect((await put(file, debFile('bulk', '1.0'), 'distribution=testing')).status).toBe(201);
    const pool = 'pool/main/b/bulk/bulk_1.0_all.deb';
    const repo = await h.engine.getRepository('deb');
    expect(await h.runtime.removeArtifact?.(repo, pool)).toBe(true);
    for (const dist of ['stable', 'testing'])
      expect((await get(`dists/${dist}/main/binary-amd64/Packages`)).text()).not.toContain('Package: bulk');
    expect((await get(pool)).status).toBe(404);
  });
});
