import type { Principal } from '@depot/core';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { pypiFormat } from '../src/index.js';
import { makeWheel } from './fixtures.js';
import { type JsonPage, jsonPage, upload } from './helpers.js';

/** A user with every action on `team-*` and nothing elsewhere. */
const team: Principal = {
  username: 'team',
  anonymous: false,
  admin: false,
  can: (_action, repo) => repo.startsWith('team-'),
};

let h: FormatHarness;
afterEach(async () => h?.close());

describe('pypi proxies check members with the caller’s permissions', () => {
  it('a member the caller may not read adds nothing to pages, lists, files or the JSON API', async () => {
    h = await createFormatHarness({ format: pypiFormat() });
    await h.createRepo({ name: 'secret' });
    await h.createRepo({ name: 'team-ok' });
    await h.createRepo({
      name: 'team-group',
      repo_type: 'proxy',
      members: ['secret', 'team-ok'],
      write_member: 'secret',
    });
    const hidden = makeWheel('shared', '9.9');
    const visible = makeWheel('shared', '1.0');
    expect((await upload(h, 'secret', hidden, 'shared', '9.9')).status).toBe(200);
    expect((await upload(h, 'secret', makeWheel('only-secret', '1.0'), 'only-secret', '1.0')).status).toBe(200);
    expect((await upload(h, 'team-ok', visible, 'shared', '1.0')).status).toBe(200);

    const asTeam = h.as(team);
    const page = (await jsonPage(asTeam, 'team-group', 'shared')).json<JsonPage>();
    expect(page.files.map((f) => f.filename)).toEqual([visible.filename]);
    expect((await jsonPage(asTeam, 'team-group', 'only-secret')).status).toBe(404);
    const index = await asTeam.request({
      method: 'GET',
      repo: 'team-group',
      path: 'simple/',
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    });
    expect(index.json()).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'shared' }] });
    const file = await asTeam.request({
      method: 'GET',
      repo: 'team-group',
      path: `packages/shared/9.9/${hidden.filename}`,
    });
    expect(file.status).toBe(404);
    const api = await asTeam.request({ method: 'GET', repo: 'team-group', path: 'pypi/shared/json' });
    expect(api.json()).toMatchObject({ info: { version: '1.0' } });

    // Writes through the proxy land in `secret`, which the caller may not write: refused, nothing stored.
    const refused = await upload(asTeam, 'team-group', makeWheel('sneaky', '1.0'), 'sneaky', '1.0');
    expect(refused.status).toBe(403);
    expect((await h.engine.list('secret', { prefix: 'packages/sneaky/' })).artifacts).toEqual([]);
    const yank = await asTeam.request({ method: 'PUT', repo: 'team-group', path: 'pypi/shared/9.9/yank' });
    expect(yank.status).toBe(403);
    expect((await jsonPage(h, 'secret', 'shared')).json<JsonPage>().files[0]?.yanked).toBe(false);
  });
});
