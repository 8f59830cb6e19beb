import { noopLogger } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic } from '../../test/fixtures/auth/harness.js';
import type { RoleRecord, UserRecord } from '../records/server-records.js';
import { createAuth } from './create-auth.js';
import { verifyPassword } from './passwords.js';

describe('bootstrap', () => {
  it('creates admin and read-only roles and admin and anonymous users on a fresh KV', async () => {
    const h = await authHarness();
    expect(h.generatedAdminPassword).toBeNull();
    const admin = (await h.records.roles.get('admin')) as RoleRecord;
    expect(admin.admin).toBe(true);
    expect(admin.capabilities.map((c) => `${c.capability}:${c.repo}`).sort()).toEqual([
      'delete:*',
      'read:*',
      'write:*',
    ]);
    const ro = (await h.records.roles.get('read-only')) as RoleRecord;
    expect(ro.admin).toBe(false);
    expect(ro.capabilities).toEqual([{ capability: 'read', repo: '*' }]);
    const adminUser = (await h.records.users.get('admin')) as UserRecord;
    expect(adminUser.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(adminUser.password_hash as string, ADMIN_PASSWORD)).toBe(true);
    expect(adminUser.must_change_password).toBe(false);
    const anon = (await h.records.users.get('anonymous')) as UserRecord;
    expect(anon.roles).toEqual([]);
    expect(anon.password_hash).toBeUndefined();
  });

  it('generates a 20-character password with must_change_password when none is configured, once', async () => {
    const h = await authHarness({ defaultAdminPassword: null });
    const pw = h.generatedAdminPassword;
    expect(pw).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(((await h.records.users.get('admin')) as UserRecord).must_change_password).toBe(true);
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: pw } });
    expect(login.body).toMatchObject({ must_change_password: true });
    // A second instance on the same KV creates nothing and reports no password.
    const again = createAuth({ records: h.records, settings: () => h.settings, logger: noopLogger });
    expect(await again.bootstrap()).toEqual({ generatedAdminPassword: null });
    expect(await again.service.verifyPassword('admin', pw as string)).toMatchObject({ username: 'admin', admin: true });
  });

  it('anonymous has no grants until it is given a role', async () => {
    const h = await authHarness();
    const anon = await h.auth.authenticate(new Headers(), '127.0.0.1');
    expect(anon).toMatchObject({ username: 'anonymous', anonymous: true, admin: false });
    expect(anon.can('read', 'anything')).toBe(false);
    const r = await h.call('PUT', '/api/v1/users/anonymous', {
      auth: basic('admin', ADMIN_PASSWORD),
      body: { roles: ['read-only'] },
    });
    expect(r.status).toBe(200);
    const after = await h.auth.authenticate(new Headers(), '127.0.0.1');
    expect(after.can('read', 'anything')).toBe(true);
    expect(after.can('write', 'anything')).toBe(false);
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: 'anonymous', password: 'x' } });
    expect(login.status).toBe(401);
  });
});
