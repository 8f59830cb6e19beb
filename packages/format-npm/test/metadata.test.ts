import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { getPackument, type PackumentJson, publish } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: npmFormat(), users: { alice: { password: 's3cret', role: 'writer' } } });
  await h.createRepo({ name: 'r' });
});
afterEach(() => h.close());

const doc = async (name: string, write = false): Promise<PackumentJson> =>
  (await getPackument(h, 'r', name, write)).json<PackumentJson>();

describe('npm dist-tags', () => {
  it('ls, add and rm; latest cannot be removed; unknown versions and range-like tags refused', async () => {
    await publish(h, 'r', '@s/p', '1.0.0');
    await publish(h, 'r', '@s/p', '1.1.0');
    const put = (tag: string, version: string) =>
      h.request({ method: 'PUT', repo: 'r', path: `-/package/@s%2fp/dist-tags/${tag}`, body: JSON.stringify(version) });
    expect((await put('beta', '1.0.0')).status).toBe(201);
    const ls = await h.request({ method: 'GET', repo: 'r', path: '-/package/@s%2fp/dist-tags' });
    expect(ls.json()).toEqual({ latest: '1.1.0', beta: '1.0.0' });
    expect((await put('beta', '9.9.9')).status).toBe(400);
    expect((await put('1.x', '1.0.0')).status).toBe(400);
    expect((await h.request({ method: 'DELETE', repo: 'r', path: '-/package/@s%2fp/dist-tags/beta' })).status).toBe(
      200,
    );
    expect((await h.request({ method: 'DELETE', repo: 'r', path: '-/package/@s%2fp/dist-tags/latest' })).status).toBe(
      400,
    );
    expect((await doc('@s/p'))['dist-tags']).toEqual({ latest: '1.1.0' });
    expect(
      (
        await h
          .as('reader')
          .request({ method: 'PUT', repo: 'r', path: '-/package/@s%2fp/dist-tags/x', body: '"1.0.0"' })
      ).status,
    ).toBe(403);
  });
});

describe('npm deprecate and unpublish', () => {
  it('deprecates and undeprecates a version through a packument PUT without attachments', async () => {
    await publish(h, 'r', 'dep', '1.0.0');
    const current = await doc('dep', true);
    const versions = current.versions as Record<string, Record<string, unknown>>;
    versions['1.0.0'] = { ...versions['1.0.0'], deprecated: 'use 2.x', dist: { tarball: 'http://evil/x.tgz' } };
    expect((await h.request({ method: 'PUT', repo: 'r', path: 'dep', body: JSON.stringify(current) })).status).toBe(
      200,
    );
    const after = await doc('dep');
    expect(after.versions['1.0.0']?.deprecated).toBe('use 2.x');
    expect(after.versions['1.0.0']?.dist.tarball).toMatch(/^http:\/\/depot\.test\/repository\/r\/dep\/-\//);
    (after.versions as Record<string, Record<string, unknown>>)['1.0.0'] = {
      ...after.versions['1.0.0'],
      deprecated: '',
    };
    await h.request({ method: 'PUT', repo: 'r', path: 'dep', body: JSON.stringify(after) });
    expect((await doc('dep')).versions['1.0.0']?.deprecated).toBeUndefined();
  });

  it('unpublishes one version the way the CLI does (PUT -rev, then DELETE the tarball)', async () => {
    await publish(h, 'r', 'un', '1.0.0');
    await publish(h, 'r', 'un', '1.1.0');
    const current = await doc('un', true);
    const rev = current._rev ?? '';
    const tarball = current.versions['1.1.0']?.dist.tarball ?? '';
    const versions = current.versions as Record<string, unknown>;
    delete versions['1.1.0'];
    current['dist-tags'] = { latest: '1.0.0' };
    expect(
      (
        await h
          .as('reader')
          .request({ method: 'PUT', repo: 'r', path: `un/-rev/${rev}`, body: JSON.stringify(current) })
      ).status,
    ).toBe(403);
    expect(
      (await h.request({ method: 'PUT', repo: 'r', path: 'un/-rev/0-stale', body: JSON.stringify(current) })).status,
    ).toBe(409);
    expect(
      (await h.request({ method: 'PUT', repo: 'r', path: `un/-rev/${rev}`, body: JSON.stringify(current) })).status,
    ).toBe(200);
    const next = await doc('un', true);
    expect(Object.keys(next.versions)).toEqual(['1.0.0']);
    const path = `${new URL(tarball).pathname.replace('/repository/r/', '')}/-rev/${next._rev}`;
    expect((await h.request({ method: 'DELETE', repo: 'r', path })).status).toBe(200);
    expect((await h.request({ method: 'GET', repo: 'r', path: 'un/-/un-1.1.0.tgz' })).status).toBe(404);
    expect((await publish(h, 'r', 'un', '1.1.0')).status).toBe(201);
  });

  it('unpublishes a whole package (DELETE -rev) with every tarball', async () => {
    await publish(h, 'r', 'gone', '1.0.0');
    await publish(h, 'r', 'gone', '2.0.0');
    const rev = (await doc('gone', true))._rev ?? '';
    expect((await h.as('reader').request({ method: 'DELETE', repo: 'r', path: `gone/-rev/${rev}` })).status).toBe(403);
    expect((await h.request({ method: 'DELETE', repo: 'r', path: `gone/-rev/${rev}` })).status).toBe(200);
    expect((await getPackument(h, 'r', 'gone')).status).toBe(404);
    expect((await h.engine.list('r')).artifacts).toEqual([]);
  });
});

describe('npm login, whoami and search', () => {
  it('issues a token for good credentials, 401 otherwise', async () => {
    const login = (password: string) =>
      h.as('anonymous').request({
        method: 'PUT',
        repo: 'r',
        path: '-/user/org.couchdb.user:alice',
        body: JSON.stringify({ _id: 'org.couchdb.user:alice', name: 'alice', password, type: 'user', roles: [] }),
      });
    const ok = await login('s3cret');
    expect(ok.status).toBe(201);
    const token = ok.json<{ ok: boolean; token: string }>().token;
    expect(h.auth.principalForToken(token)?.username).toBe('alice');
    expect((await login('wrong')).status).toBe(401);
    const who = await h.as('writer').request({ method: 'GET', repo: 'r', path: '-/whoami' });
    expect(who.json()).toEqual({ username: 'writer' });
  });

  it('searches names, descriptions and keywords with paging', async () => {
    await publish(h, 'r', 'alpha-lib', '1.0.0');
    await publish(h, 'r', 'beta-lib', '1.0.0', { manifest: { keywords: ['special'] } });
    await publish(h, 'r', 'gamma', '1.0.0');
    const search = async (text: string, extra: Record<string, string> = {}) =>
      (await h.request({ method: 'GET', repo: 'r', path: '-/v1/search', query: { text, ...extra } })).json<{
        objects: { package: { name: string; version: string; description: string } }[];
        total: number;
      }>();
    const libs = await search('lib');
    expect(libs.total).toBe(2);
    expect(libs.objects.map((o) => o.package.name)).toEqual(['alpha-lib', 'beta-lib']);
    expect(libs.objects[0]?.package).toMatchObject({ version: '1.0.0', description: 'the alpha-lib package' });
    expect((await search('lib', { size: '1', from: '1' })).objects.map((o) => o.package.name)).toEqual(['beta-lib']);
  });
});
