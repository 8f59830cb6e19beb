import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic, bearer } from '../../test/fixtures/auth/harness.js';
import {
  GROUPS_DN,
  LDAP_ADMIN_DN,
  LDAP_ADMIN_PASSWORD,
  PEOPLE_DN,
  type Slapd,
  slapdInstalled,
  startSlapd,
} from '../../test/fixtures/ldap/slapd.js';
import type { LdapConfig } from './auth-module.js';
import { escapeFilterValue, ldapLogin } from './ldap-client.js';

const admin = basic('admin', ADMIN_PASSWORD);
const installed = slapdInstalled();
if (!installed)
  console.warn('SKIPPING LDAP tests: slapd is not installed (apt-get install slapd ldap-utils, see docs/auth.md)');

describe('LDAP filter escaping (RFC 4515)', () => {
  it('escapes every filter metacharacter', () => {
    expect(escapeFilterValue('*)(uid=*))(|(uid=*')).toBe('\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\u0000')).toBe('a\\5cb\\00');
    expect(escapeFilterValue('plain.user-1')).toBe('plain.user-1');
  });

  it('never binds with an empty password: it answers without contacting the server', async () => {
    const dead: LdapConfig = {
      url: 'ldap://127.0.0.1:1',
      bind_dn: 'x',
      bind_password: 'y',
      user_base_dn: 'z',
      group_base_dn: 'w',
    };
    expect(await ldapLogin(dead, 'alice', '')).toEqual({ kind: 'bad-password' });
    expect((await ldapLogin(dead, 'alice', 'pw')).kind).toBe('unavailable');
  });
});

describe.skipIf(!installed)('LDAP against a real slapd', () => {
  let slapd: Slapd;
  let config: LdapConfig;

  beforeAll(async () => {
    slapd = await startSlapd();
    await slapd.addUser('alice', 'alice-pw');
    await slapd.addUser('bruno', 'bruno-pw');
    await slapd.addGroup('devs', ['alice', 'bruno']);
    await slapd.addGroup('ops', ['alice']);
    await slapd.addGroup('unmapped', ['alice']);
    config = {
      url: slapd.url,
      bind_dn: LDAP_ADMIN_DN,
      bind_password: LDAP_ADMIN_PASSWORD,
      user_base_dn: PEOPLE_DN,
      group_base_dn: GROUPS_DN,
      group_role_mapping: { devs: 'developers', ops: 'operators' },
    };
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  async function withRoles(ldap: LdapConfig = config) {
    const h = await authHarness({ ldap });
    const admin = basic('admin', ADMIN_PASSWORD);
    await h.call('POST', '/api/v1/roles', {
      auth: admin,
      body: { name: 'developers', capabilities: [{ capability: 'write', repo: 'dev-*' }] },
    });
    await h.call('POST', '/api/v1/roles', {
      auth: admin,
      body: { name: 'operators', capabilities: [{ capability: 'delete', repo: '*' }] },
    });
    await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'local', password: 'local-pw', roles: ['read-only'] },
    });
    return h;
  }

  it('logs an LDAP user in, creates it just in time with roles mapped from its groups', async () => {
    const h = await withRoles();
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-pw' } });
    expect(login.status).toBe(200);
    const record = await h.records.users.get('alice');
    expect(record).toMatchObject({ source: 'ldap', roles: ['developers', 'operators'], must_change_password: false });
    expect(record?.password_hash).toBeUndefined();
    const p = await h.auth.authenticate(new Headers({ authorization: bearer(String(login.body.token)) }), '127.0.0.1');
    expect(p.can('write', 'dev-x')).toBe(true);
    expect(p.can('delete', 'prod')).toBe(true);
    expect(p.can('write', 'prod')).toBe(false);
    expect(
      (await h.auth.authenticate(new Headers({ authorization: basic('alice', 'alice-pw') }), '127.0.0.1')).username,
    ).toBe('alice');
    expect(
      (await h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'wrong' } })).status,
    ).toBe(401);
    expect((await h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: '' } })).status).toBe(
      401,
    );
    for (const username of ['*', '*)(uid=*))(|(uid=*', 'admin)(&)', 'alice\u0000', 'ali*']) {
      const r = await h.call('POST', '/api/v1/auth/login', { body: { username, password: 'alice-pw' } });
      expect([username, r.status]).toEqual([username, 401]);
    }
    expect((await h.call('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'x' } })).status).toBe(
      401,
    );
    const cp = await h.call('POST', '/api/v1/auth/change-password', {
      body: { username: 'alice', current_password: 'alice-pw', new_password: 'n' },
    });
    expect(cp.status).toBe(400);
    // The injection-shaped username reaches LDAP escaped and finds nobody.
    expect(await ldapLogin(config, '*', 'alice-pw')).toEqual({ kind: 'not-found' });
    expect(await ldapLogin(config, 'ali*', 'alice-pw')).toEqual({ kind: 'not-found' });
    expect(await ldapLogin(config, '*)(uid=*))(|(uid=*', 'alice-pw')).toEqual({ kind: 'not-found' });
  });

  it('removal from a group takes effect at the next login', async () => {
    const h = await withRoles();
    expect(
      (await h.call('POST', '/api/v1/auth/login', { body: { username: 'bruno', password: 'bruno-pw' } })).status,
    ).toBe(200);
    expect((await h.records.users.get('bruno'))?.roles).toEqual(['developers']);
    await slapd.removeFromGroup('devs', 'bruno');
    const again = await h.call('POST', '/api/v1/auth/login', { body: { username: 'bruno', password: 'bruno-pw' } });
    expect(again.status).toBe(200);
    expect((await h.records.users.get('bruno'))?.roles).toEqual([]);
    const p = await h.auth.authenticate(new Headers({ authorization: bearer(String(again.body.token)) }), '127.0.0.1');
    expect(p.can('write', 'dev-x')).toBe(false);
  });

  it('runtime settings: bind password masked on GET, "********" keeps it, DELETE turns LDAP off', async () => {
    const h = await authHarness();
    expect((await h.call('GET', '/api/v1/settings/ldap', { auth: admin })).status).toBe(404);
    expect(
      (await h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-pw' } })).status,
    ).toBe(401);
    expect((await h.call('PUT', '/api/v1/settings/ldap', { auth: admin, body: { ...config, bogus: 1 } })).status).toBe(
      400,
    );
    const put = await h.call('PUT', '/api/v1/settings/ldap', { auth: admin, body: config });
    expect(put.status).toBe(200);
    expect(put.body.bind_password).toBe('********');
    expect((await h.call('GET', '/api/v1/settings/ldap', { auth: admin })).body).toMatchObject({
      url: slapd.url,
      bind_password: '********',
    });
    expect(
      (await h.call('PUT', '/api/v1/settings/ldap', { auth: admin, body: { ...config, bind_password: '********' } }))
        .status,
    ).toBe(200);
    expect((await h.records.meta.get('ldap')) as LdapConfig).toMatchObject({ bind_password: LDAP_ADMIN_PASSWORD });
    expect(
      (await h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-pw' } })).status,
    ).toBe(200);
    expect((await h.call('DELETE', '/api/v1/settings/ldap', { auth: admin })).status).toBe(204);
    expect((await h.call('DELETE', '/api/v1/settings/ldap', { auth: admin })).status).toBe(404);
    expect(
      (await h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-pw' } })).status,
    ).toBe(401);
  });

  it('LDAP down, fallback on (default): builtin users log in, LDAP users do not', async () => {
    const h = await withRoles({ ...config, url: 'ldap://127.0.0.1:1' });
    const login = (username: string, password: string) =>
      h.call('POST', '/api/v1/auth/login', { body: { username, password } });
    expect((await login('local', 'local-pw')).status).toBe(200);
    expect((await login('admin', ADMIN_PASSWORD)).status).toBe(200);
    expect((await login('alice', 'alice-pw')).status).toBe(401);
  });

  it('fallback off: builtin non-admins are refused (LDAP up or down), builtin admins still log in', async () => {
    for (const url of [slapd.url, 'ldap://127.0.0.1:1']) {
      const h = await withRoles({ ...config, url, fallback_to_builtin: false });
      const login = (username: string, password: string) =>
        h.call('POST', '/api/v1/auth/login', { body: { username, password } });
      expect([url, (await login('local', 'local-pw')).status]).toEqual([url, 401]);
      expect([url, (await login('admin', ADMIN_PASSWORD)).status]).toEqual([url, 200]);
      expect([url, (await login('alice', 'alice-pw')).status]).toEqual([url, url === slapd.url ? 200 : 401]);
    }
  });
});
