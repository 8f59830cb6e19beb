import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic, bearer, list } from '../../test/fixtures/auth/harness.js';

const admin = basic('admin', ADMIN_PASSWORD);

describe('users and roles API', () => {
  it('CRUD users without ever returning secrets; 409 on duplicates; unknown fields 400', async () => {
    const h = await authHarness();
    const created = await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'dave', password: 'dave-pw', roles: ['read-only'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'dave',
      roles: ['read-only'],
      must_change_password: false,
      source: 'builtin',
    });
    expect(
      (await h.call('POST', '/api/v1/users', { auth: admin, body: { username: 'dave', password: 'x' } })).status,
    ).toBe(409);
    const all = await h.call('GET', '/api/v1/users', { auth: admin });
    expect(
      list(all)
        .map((u) => u.username)
        .sort(),
    ).toEqual(['admin', 'anonymous', 'dave']);
    for (const u of list(all)) {
      expect(Object.keys(u).sort()).toEqual([
        'created_at',
        'must_change_password',
        'roles',
        'source',
        'updated_at',
        'username',
      ]);
    }
    expect((await h.call('GET', '/api/v1/users/dave', { auth: admin })).body).not.toHaveProperty('password_hash');
    expect((await h.call('GET', '/api/v1/users/nobody', { auth: admin })).status).toBe(404);
    const injected = await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'eve', password: 'x', isAdmin: true },
    });
    expect(injected.status).toBe(400);
    expect(injected.body.error).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await h.call('PUT', '/api/v1/users/dave', { auth: admin, body: { token_secret: 'x' } })).status).toBe(400);
    expect(
      (await h.call('POST', '/api/v1/users', { auth: admin, body: { username: 'bad/name', password: 'x' } })).status,
    ).toBe(400);
    expect((await h.call('PUT', '/api/v1/users/dave', { auth: admin, body: { roles: ['no-such-role'] } })).status).toBe(
      400,
    );
    const updated = await h.call('PUT', '/api/v1/users/dave', { auth: admin, body: { must_change_password: true } });
    expect(updated.body).toMatchObject({ must_change_password: true, roles: ['read-only'] });
    expect((await h.call('DELETE', '/api/v1/users/dave', { auth: admin })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/users/dave', { auth: admin })).status).toBe(404);
  });

  it('non-admins get 403, anonymous gets 401 on every admin route', async () => {
    const h = await authHarness();
    await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'reader', password: 'r-pw', roles: ['read-only'] },
    });
    const reader = basic('reader', 'r-pw');
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users', { username: 'x1', password: 'p' }],
      // Authorization runs before validation: an invalid body still gets 401/403, not 400.
      ['POST', '/api/v1/users', { bogus: true }],
      ['PUT', '/api/v1/roles/admin', { name: 'x' }],
      ['GET', '/api/v1/users/admin'],
      ['PUT', '/api/v1/users/reader', { roles: ['admin'] }],
      ['DELETE', '/api/v1/users/admin'],
      ['POST', '/api/v1/users/admin/revoke-tokens'],
      ['GET', '/api/v1/roles'],
      ['POST', '/api/v1/roles', { name: 'r1' }],
      ['GET', '/api/v1/roles/admin'],
      ['PUT', '/api/v1/roles/read-only', { admin: true }],
      ['DELETE', '/api/v1/roles/read-only'],
      ['GET', '/api/v1/settings/ldap'],
      [
        'PUT',
        '/api/v1/settings/ldap',
        { url: 'ldap://x', bind_dn: 'a', bind_password: 'b', user_base_dn: 'c', group_base_dn: 'd' },
      ],
      ['DELETE', '/api/v1/settings/ldap'],
      ['POST', '/api/v1/auth/revoke-all'],
    ];
    for (const [method, path, body] of routes) {
      expect([method, path, (await h.call(method, path, { auth: reader, body })).status]).toEqual([method, path, 403]);
      expect([method, path, (await h.call(method, path, { body })).status]).toEqual([method, path, 401]);
    }
  });

  it('keeps at least one administrator and protects the admin role and anonymous user', async () => {
    const h = await authHarness();
    expect((await h.call('DELETE', '/api/v1/users/admin', { auth: admin })).status).toBe(400);
    expect((await h.call('PUT', '/api/v1/users/admin', { auth: admin, body: { roles: ['read-only'] } })).status).toBe(
      400,
    );
    expect((await h.call('DELETE', '/api/v1/roles/admin', { auth: admin })).status).toBe(400);
    expect((await h.call('PUT', '/api/v1/roles/admin', { auth: admin, body: { admin: false } })).status).toBe(400);
    expect((await h.call('PUT', '/api/v1/roles/admin', { auth: admin, body: { name: 'root' } })).status).toBe(400);
    expect((await h.call('DELETE', '/api/v1/users/anonymous', { auth: admin })).status).toBe(400);
    expect((await h.call('PUT', '/api/v1/users/anonymous', { auth: admin, body: { roles: ['admin'] } })).status).toBe(
      400,
    );
    expect((await h.call('PUT', '/api/v1/users/anonymous', { auth: admin, body: { password: 'x' } })).status).toBe(400);
    // A second admin (through another admin role) makes the first one removable.
    await h.call('POST', '/api/v1/roles', { auth: admin, body: { name: 'ops', admin: true } });
    await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'root2', password: 'root2-pw', roles: ['ops'] },
    });
    expect((await h.call('PUT', '/api/v1/roles/ops', { auth: admin, body: { admin: false } })).status).toBe(200);
    expect((await h.call('DELETE', '/api/v1/users/admin', { auth: admin })).status).toBe(400);
    expect((await h.call('PUT', '/api/v1/roles/ops', { auth: admin, body: { admin: true } })).status).toBe(200);
    const root2 = basic('root2', 'root2-pw');
    expect((await h.call('DELETE', '/api/v1/users/admin', { auth: root2 })).status).toBe(204);
    expect((await h.call('PUT', '/api/v1/roles/ops', { auth: root2, body: { admin: false } })).status).toBe(400);
    expect((await h.call('PUT', '/api/v1/users/root2', { auth: root2, body: { roles: [] } })).status).toBe(400);
  });

  it('role CRUD: globs validated, 409 on duplicates and on deleting an assigned role, changes apply at once', async () => {
    const h = await authHarness();
    const mk = await h.call('POST', '/api/v1/roles', {
      auth: admin,
      body: { name: 'team', capabilities: [{ capability: 'write', repo: 'team-*' }] },
    });
    expect(mk.status).toBe(201);
    expect(mk.body).toMatchObject({
      name: 'team',
      admin: false,
      capabilities: [{ capability: 'write', repo: 'team-*' }],
    });
    expect((await h.call('POST', '/api/v1/roles', { auth: admin, body: { name: 'team' } })).status).toBe(409);
    expect(
      (
        await h.call('POST', '/api/v1/roles', {
          auth: admin,
          body: { name: 'bad', capabilities: [{ capability: 'read', repo: 'a/(b)' }] },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await h.call('POST', '/api/v1/roles', {
          auth: admin,
          body: { name: 'bad', capabilities: [{ capability: 'own', repo: '*' }] },
        })
      ).status,
    ).toBe(400);
    await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'tina', password: 'tina-pw', roles: ['team'] },
    });
    const tina = async () => h.auth.authenticate(new Headers({ authorization: basic('tina', 'tina-pw') }), '127.0.0.1');
    expect((await tina()).can('write', 'team-a')).toBe(true);
    expect((await tina()).can('write', 'other')).toBe(false);
    await h.call('PUT', '/api/v1/roles/team', {
      auth: admin,
      body: { capabilities: [{ capability: 'write', repo: 'other' }] },
    });
    expect((await tina()).can('write', 'team-a')).toBe(false);
    expect((await tina()).can('write', 'other')).toBe(true);
    expect((await h.call('DELETE', '/api/v1/roles/team', { auth: admin })).status).toBe(409);
    await h.call('PUT', '/api/v1/users/tina', { auth: admin, body: { roles: [] } });
    expect((await h.call('DELETE', '/api/v1/roles/team', { auth: admin })).status).toBe(204);
    expect(
      list(await h.call('GET', '/api/v1/roles', { auth: admin }))
        .map((r) => r.name)
        .sort(),
    ).toEqual(['admin', 'read-only']);
  });

  it('change-password: self needs the current password (200 + token), admin for others 204, wrong 403', async () => {
    const h = await authHarness();
    await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'fay', password: 'fay-pw', must_change_password: true },
    });
    const cp = (body: Record<string, unknown>, auth?: string) =>
      h.call('POST', '/api/v1/auth/change-password', { body, ...(auth ? { auth } : {}) });
    expect((await cp({ username: 'fay', current_password: 'wrong', new_password: 'n1' })).status).toBe(403);
    expect((await cp({ username: 'ghost', current_password: 'wrong', new_password: 'n1' })).status).toBe(403);
    expect((await cp({ username: 'fay', new_password: 'n1' })).status).toBe(400);
    expect((await cp({ username: 'fay', current_password: 'fay-pw', new_password: 'n1', extra: 1 })).status).toBe(400);
    const self = await cp({ username: 'fay', current_password: 'fay-pw', new_password: 'fay-pw-2' });
    expect(self.status).toBe(200);
    expect(self.body.must_change_password).toBe(false);
    expect(
      (await h.call('POST', '/api/v1/users/fay/revoke-tokens', { auth: bearer(String(self.body.token)) })).status,
    ).toBe(204);
    expect(await h.auth.service.verifyPassword('fay', 'fay-pw')).toBeNull();
    expect((await cp({ username: 'fay', new_password: 'by-admin' }, admin)).status).toBe(204);
    expect(await h.auth.service.verifyPassword('fay', 'by-admin')).toMatchObject({ username: 'fay' });
    expect((await cp({ username: 'fay', new_password: 'x' }, basic('fay', 'by-admin'))).status).toBe(400);
  });
});

describe('OpenAPI', () => {
  it('documents every auth route', async () => {
    const h = await authHarness();
    const doc = h.app.getOpenAPIDocument({ openapi: '3.0.3', info: { title: 't', version: '1' } });
    const paths = Object.entries(doc.paths ?? {}).flatMap(([p, ops]) =>
      Object.keys(ops ?? {}).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(paths.sort()).toEqual(
      [
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/change-password',
        'POST /api/v1/auth/revoke-all',
        'GET /api/v1/users',
        'POST /api/v1/users',
        'GET /api/v1/users/{username}',
        'PUT /api/v1/users/{username}',
        'DELETE /api/v1/users/{username}',
        'POST /api/v1/users/{username}/revoke-tokens',
        'GET /api/v1/roles',
        'POST /api/v1/roles',
        'GET /api/v1/roles/{name}',
        'PUT /api/v1/roles/{name}',
        'DELETE /api/v1/roles/{name}',
        'GET /api/v1/settings/ldap',
        'PUT /api/v1/settings/ldap',
        'DELETE /api/v1/settings/ldap',
        'POST /api/v1/tokens',
        'GET /api/v1/tokens',
        'DELETE /api/v1/tokens/{id}',
      ].sort(),
    );
  });
});
