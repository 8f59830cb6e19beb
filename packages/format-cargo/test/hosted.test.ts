import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cargoFormat, indexPath } from '../src/index.js';
import { crateFile, metadataOf, publish, publishBody, sha256, tarGz } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: cargoFormat({ maxCrateBytes: 64 * 1024 }) });
  await h.createRepo({ name: 'crates' });
});
afterEach(async () => h.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  h.request({ method: 'GET', repo: 'crates', path, headers });
const lines = async (name: string) =>
  (await get(`index/${indexPath(name)}`))
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { vers: string; yanked: boolean; cksum: string; deps: unknown[]; name: string });

describe('cargo hosted registry', () => {
  it('serves config.json with absolute URLs and an index file per crate, with ETag and 304', async () => {
    const config = (await get('index/config.json')).json<{ dl: string; api: string; 'auth-required': boolean }>();
    expect(config.dl).toMatch(/^http:\/\/[^/]+\/repository\/crates\/api\/v1\/crates$/);
    expect(config.api).toMatch(/^http:\/\/[^/]+\/repository\/crates$/);
    expect(config['auth-required']).toBe(true);
    const crate = crateFile('Alpha_Lib', '1.0.0');
    const dep = {
      name: 'serde',
      version_req: '^1',
      features: ['derive'],
      optional: false,
      default_features: true,
      target: null,
      kind: 'normal',
      registry: null,
      explicit_name_in_toml: 'my_serde',
    };
    expect(
      (await publish(h, 'crates', 'Alpha_Lib', '1.0.0', crate, metadataOf('Alpha_Lib', '1.0.0', [dep]))).status,
    ).toBe(200);
    const [entry] = await lines('alpha_lib');
    expect(entry).toMatchObject({
      name: 'Alpha_Lib',
      vers: '1.0.0',
      cksum: sha256(crate),
      yanked: false,
      v: 1,
      links: null,
    });
    expect(entry?.deps).toEqual([
      {
        name: 'my_serde',
        package: 'serde',
        req: '^1',
        features: ['derive'],
        optional: false,
        default_features: true,
        target: null,
        kind: 'normal',
      },
    ]);
    const first = await get('index/al/ph/alpha_lib');
    expect(first.headers.etag).toMatch(/^"/);
    expect((await get('index/al/ph/alpha_lib', { 'if-none-match': first.headers.etag ?? '' })).status).toBe(304);
    const modified = first.headers['last-modified'] ?? '';
    expect(Date.parse(modified)).toBeGreaterThan(Date.now() - 60_000);
    expect((await get('index/al/ph/alpha_lib', { 'if-modified-since': modified })).status).toBe(304);
    const older = new Date(Date.parse(modified) - 60_000).toUTCString();
    expect((await get('index/al/ph/alpha_lib', { 'if-modified-since': older })).status).toBe(200);
    expect(
      (await get('index/al/ph/alpha_lib', { 'if-none-match': '"other"', 'if-modified-since': modified })).status,
    ).toBe(200);
    expect((await get('index/al/ph/alpha-lib')).status).toBe(404);
    expect((await get('index/xx/yy/alpha_lib')).status).toBe(404);
    const dl = await get('api/v1/crates/Alpha_Lib/1.0.0/download');
    expect(dl.status).toBe(200);
    expect(sha256(dl.body)).toBe(sha256(crate));
  });

  it('yanks and unyanks, searches by name with the highest unyanked version', async () => {
    for (const v of ['0.1.0', '0.2.0'])
      expect((await publish(h, 'crates', 'beta', v, crateFile('beta', v))).status).toBe(200);
    expect(
      (await h.request({ method: 'DELETE', repo: 'crates', path: 'api/v1/crates/beta/0.2.0/yank' })).json(),
    ).toEqual({ ok: true });
    expect((await lines('beta')).map((e) => [e.vers, e.yanked])).toEqual([
      ['0.1.0', false],
      ['0.2.0', true],
    ]);
    const found = (
      await h.request({ method: 'GET', repo: 'crates', path: 'api/v1/crates', query: { q: 'BET', per_page: '5' } })
    ).json<{ crates: unknown[]; meta: { total: number } }>();
    expect(found).toEqual({
      crates: [{ name: 'beta', max_version: '0.1.0', description: 'the beta crate' }],
      meta: { total: 1 },
    });
    expect((await h.request({ method: 'PUT', repo: 'crates', path: 'api/v1/crates/beta/0.2.0/unyank' })).status).toBe(
      200,
    );
    expect((await lines('beta')).map((e) => e.yanked)).toEqual([false, false]);
    expect((await h.request({ method: 'DELETE', repo: 'crates', path: 'api/v1/crates/beta/9.9.9/yank' })).status).toBe(
      404,
    );
  });

  it('keeps owners: the publisher owns the crate, others may neither publish it nor yank it', async () => {
    expect((await publish(h, 'crates', 'gamma', '1.0.0', crateFile('gamma', '1.0.0'))).status).toBe(200);
    expect((await get('api/v1/crates/gamma/owners')).json()).toEqual({
      users: [{ id: 1, login: 'admin', name: 'admin' }],
    });
    const writer = h.as('writer');
    const refused = await publish(writer, 'crates', 'gamma', '1.1.0', crateFile('gamma', '1.1.0'));
    expect(refused.status).toBe(403);
    expect(
      (
        await h.request({
          method: 'PUT',
          repo: 'crates',
          path: 'api/v1/crates/gamma/owners',
          body: JSON.stringify({ users: ['writer'] }),
        })
      ).status,
    ).toBe(200);
    expect((await publish(writer, 'crates', 'gamma', '1.1.0', crateFile('gamma', '1.1.0'))).status).toBe(200);
    const stranger = await h.request({
      method: 'PUT',
      repo: 'crates',
      path: 'api/v1/crates/gamma/owners',
      body: JSON.stringify({ users: ['nobody-here'] }),
    });
    expect(stranger.status).toBe(400);
    for (const body of ['not json', '{"users": []}', '{"users": ["a b"]}', '{"users": "admin"}']) {
      const bad = await h.request({ method: 'PUT', repo: 'crates', path: 'api/v1/crates/gamma/owners', body });
      expect(bad.status).toBe(400);
      expect(bad.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toEqual(expect.any(String));
    }
    expect((await get('api/v1/crates/gamma/owners')).json<{ users: unknown[] }>().users).toHaveLength(2);
    expect(stranger.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toContain('nobody-here');
    const removed = await h.request({
      method: 'DELETE',
      repo: 'crates',
      path: 'api/v1/crates/gamma/owners',
      body: JSON.stringify({ users: ['admin', 'writer'] }),
    });
    expect(removed.status).toBe(400);
  });
});

describe('cargo publish refuses bad input: cargo-shaped 4xx, nothing stored', () => {
  const crate = crateFile('delta', '1.0.0');
  const body = publishBody(metadataOf('delta', '1.0.0'), crate);
  const cases: [string, () => Buffer | Uint8Array, number][] = [
    ['a truncated body', () => body.subarray(0, body.length - 10), 400],
    [
      'json_len larger than the body',
      () => Buffer.concat([Buffer.from([0xff, 0xff, 0x00, 0x00]), Buffer.from('{}')]),
      400,
    ],
    ['json_len past the metadata limit', () => Buffer.from([0xff, 0xff, 0xff, 0x7f]), 413],
    ['bytes after the crate', () => Buffer.concat([body, Buffer.from('x')]), 400],
    [
      'a crate with ../',
      () =>
        publishBody(metadataOf('delta', '1.0.0'), crateFile('delta', '1.0.0', 0, { 'delta-1.0.0/../../evil': 'x' })),
      400,
    ],
    [
      'a crate with files outside its root',
      () => publishBody(metadataOf('delta', '1.0.0'), crateFile('delta', '1.0.0', 0, { 'other/x': 'x' })),
      400,
    ],
    [
      'a Cargo.toml naming another crate',
      () =>
        publishBody(
          metadataOf('delta', '1.0.0'),
          crateFile('epsilon', '1.0.0').length > 0
            ? tarGz({ 'delta-1.0.0/Cargo.toml': '[package]\nname = "epsilon"\nversion = "1.0.0"\n' })
            : crate,
        ),
      400,
    ],
    ['a crate that is not gzip', () => publishBody(metadataOf('delta', '1.0.0'), Buffer.from('not gzip')), 400],
    ['a version that is not SemVer', () => publishBody(metadataOf('delta', '1.0'), crateFile('delta', '1.0')), 400],
    ['an invalid name', () => publishBody(metadataOf('9lives', '1.0.0'), crateFile('9lives', '1.0.0')), 400],
    ['a reserved name', () => publishBody(metadataOf('std', '1.0.0'), crateFile('std', '1.0.0')), 400],
    ['a crate over max_crate_bytes', () => publishBody(metadataOf('delta', '1.0.0'), Buffer.alloc(70 * 1024)), 413],
  ];
  it.each(cases)('refuses %s', async (_what, make, status) => {
    const res = await h.request({ method: 'PUT', repo: 'crates', path: 'api/v1/crates/new', body: make() });
    expect(res.status).toBe(status);
    expect(res.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toEqual(expect.any(String));
    expect((await h.engine.list('crates')).artifacts).toEqual([]);
    expect((await get('index/de/lt/delta')).status).toBe(404);
  });

  it('refuses a version already published, and another spelling of a taken name', async () => {
    expect((await publish(h, 'crates', 'my-crate', '1.0.0', crateFile('my-crate', '1.0.0'))).status).toBe(200);
    const again = await publish(h, 'crates', 'my-crate', '1.0.0', crateFile('my-crate', '1.0.0', 1));
    expect(again.status).toBe(400);
    expect(again.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toContain('already uploaded');
    for (const alias of ['my_crate', 'My-Crate']) {
      expect((await publish(h, 'crates', alias, '2.0.0', crateFile(alias, '2.0.0'))).status).toBe(400);
    }
    expect((await h.engine.list('crates')).artifacts.map((a) => a.path)).toEqual([
      expect.stringMatching(/^crates\/my-crate\/my-crate-1\.0\.0-[0-9a-f]{64}\.crate$/),
    ]);
  });

  it('two racing publishes of one version store one crate, the one the index names; a leftover file is replaced', async () => {
    const a = crateFile('racer', '1.0.0', 1);
    const b = crateFile('racer', '1.0.0', 2);
    const answers = await Promise.all([
      publish(h, 'crates', 'racer', '1.0.0', a),
      publish(h, 'crates', 'racer', '1.0.0', b),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    const [entry] = await lines('racer');
    const dl = await get('api/v1/crates/racer/1.0.0/download');
    expect(sha256(dl.body)).toBe(entry?.cksum);
    // The loser's file is gone: one crate file for the version.
    expect((await h.engine.list('crates')).artifacts.filter((x) => x.path.startsWith('crates/racer/'))).toHaveLength(1);
    // A file a failed publish left behind (stored, never indexed) does not block the version.
    const c = crateFile('leftover', '1.0.0');
    await h.engine.put('crates', `crates/leftover/leftover-1.0.0-${sha256(c)}.crate`, 'half a publish');
    expect((await publish(h, 'crates', 'leftover', '1.0.0', c)).status).toBe(200);
    expect(sha256((await get('api/v1/crates/leftover/1.0.0/download')).body)).toBe(sha256(c));
  });
});
