import { setTimeout as sleep } from 'node:timers/promises';
import { noopLogger } from '@depot/core';
import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic, bearer } from '../../test/fixtures/auth/harness.js';
import type { AuthTuning } from './auth-module.js';
import { createAuth } from './create-auth.js';
import { type JwtKeyRecord, userSigningKey } from './jwt-keys.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

async function setup(tuning: AuthTuning = {}) {
  let now = Date.UTC(2026, 0, 1);
  const h = await authHarness({ tuning: { now: () => now, ...tuning } });
  const login = async (username = 'admin', password = ADMIN_PASSWORD): Promise<string> => {
    const r = await h.call('POST', '/api/v1/auth/login', { body: { username, password } });
    expect(r.status).toBe(200);
    return String(r.body.token);
  };
  /** Status of an admin-only GET with these credentials. */
  const statusWith = async (auth: string): Promise<number> => (await h.call('GET', '/api/v1/users', { auth })).status;
  const advance = (secs: number): void => {
    now += secs * 1000;
  };
  const keys = async (): Promise<JwtKeyRecord> => (await h.records.meta.get('jwt')) as JwtKeyRecord;
  return { h, login, statusWith, advance, keys, clock: () => now };
}

/** Signs a token for `username` with the real current key, with custom header and claims. */
async function forge(
  h: Awaited<ReturnType<typeof setup>>['h'],
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  const rec = (await h.records.meta.get('jwt')) as JwtKeyRecord;
  const user = await h.records.users.get('admin');
  const key = userSigningKey(Buffer.from(rec.current, 'base64url'), user?.token_secret ?? '');
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(key);
}

describe('tokens', () => {
  it('login returns a token that authenticates as Bearer and as a bare token (cargo)', async () => {
    const { h, login, statusWith } = await setup();
    const token = await login();
    expect(token.split('.')).toHaveLength(3);
    expect(await statusWith(bearer(token))).toBe(200);
    expect(await statusWith(token)).toBe(200);
    const wrong = await h.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'UNAUTHORIZED' });
    const empty = await h.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: '' } });
    expect(empty.status).toBe(401);
  });

  it('expires after jwt_expiry_secs with no leeway', async () => {
    const { h, login, statusWith, advance } = await setup();
    h.settings.jwt_expiry_secs = 120;
    const token = await login();
    advance(119);
    expect(await statusWith(bearer(token))).toBe(200);
    advance(1);
    expect(await statusWith(bearer(token))).toBe(401);
  });

  it('the rotation worker rotates when due: a token survives one rotation, not two', async () => {
    const { h, login, statusWith, advance, keys } = await setup({ rotationCheckMs: 5 });
    h.settings.jwt_rotation_interval_secs = 3600;
    const token = await login();
    const worker = h.auth.workers.find((w) => w.name === 'jwt-rotation');
    if (worker === undefined) throw new Error('no jwt-rotation worker');
    const ac = new AbortController();
    const running = worker.run(ac.signal);
    const first = (await keys()).current;
    await sleep(40);
    expect((await keys()).current).toBe(first);
    advance(3600);
    await vi.waitFor(async () => expect((await keys()).current).not.toBe(first));
    expect((await keys()).previous).toBe(first);
    expect(await statusWith(bearer(token))).toBe(200);
    const second = (await keys()).current;
    advance(3600);
    await vi.waitFor(async () => expect((await keys()).current).not.toBe(second));
    expect(await statusWith(bearer(token))).toBe(401);
    ac.abort();
    await running;
  });

  it('another instance accepts a token signed with a key it has not loaded yet, and honours revoke-all after refresh', async () => {
    const { h, login, statusWith, keys, advance, clock } = await setup();
    const other = createAuth(
      { records: h.records, settings: () => h.settings, logger: noopLogger },
      { refreshMs: 5, now: clock },
    );
    await other.bootstrap();
    await h.call('POST', '/api/v1/auth/revoke-all', { auth: basic('admin', ADMIN_PASSWORD) });
    const token = await login();
    advance(3);
    // `other` loaded the key before the revoke: it re-reads KV on a signature miss.
    await expect(other.authenticate(new Headers({ authorization: bearer(token) }), '127.0.0.1')).resolves.toMatchObject(
      { username: 'admin', admin: true },
    );
    const refresh = other.workers.find((w) => w.name === 'auth-refresh');
    const ac = new AbortController();
    const running = refresh?.run(ac.signal);
    const before = (await keys()).current;
    expect(await statusWith(basic('admin', ADMIN_PASSWORD))).toBe(200);
    expect((await h.call('POST', '/api/v1/auth/revoke-all', { auth: basic('admin', ADMIN_PASSWORD) })).status).toBe(
      204,
    );
    expect((await keys()).current).not.toBe(before);
    expect((await keys()).previous).toBeNull();
    await vi.waitFor(async () => {
      await expect(
        other.authenticate(new Headers({ authorization: bearer(token) }), '127.0.0.1'),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });
    ac.abort();
    await running;
  });

  it('revoke-all invalidates every token at once on this instance', async () => {
    const { h, login, statusWith } = await setup();
    const token = await login();
    expect((await h.call('POST', '/api/v1/auth/revoke-all', { auth: bearer(token) })).status).toBe(204);
    expect(await statusWith(bearer(token))).toBe(401);
    expect(await statusWith(bearer(await login()))).toBe(200);
  });

  it('revoking one user revokes only that user (self or admin); a password change revokes too', async () => {
    const { h, login, statusWith } = await setup();
    const admin = basic('admin', ADMIN_PASSWORD);
    await h.call('POST', '/api/v1/users', {
      auth: admin,
      body: { username: 'bob', password: 'bob-pw', roles: ['read-only'] },
    });
    const bobToken = await login('bob', 'bob-pw');
    const adminToken = await login();
    const bobCheck = async (): Promise<number> =>
      (await h.call('POST', '/api/v1/users/bob/revoke-tokens', { auth: bearer(bobToken) })).status;
    expect((await h.call('POST', '/api/v1/users/admin/revoke-tokens', { auth: bearer(bobToken) })).status).toBe(403);
    expect(await bobCheck()).toBe(204);
    expect(await bobCheck()).toBe(401);
    expect(await statusWith(bearer(adminToken))).toBe(200);
    const bob2 = await login('bob', 'bob-pw');
    await h.call('PUT', '/api/v1/users/bob', { auth: admin, body: { password: 'bob-pw-2' } });
    expect((await h.call('POST', '/api/v1/users/bob/revoke-tokens', { auth: bearer(bob2) })).status).toBe(401);
    expect((await h.call('POST', '/api/v1/users/bob/revoke-tokens', { auth: basic('bob', 'bob-pw') })).status).toBe(
      401,
    );
    expect((await h.call('POST', '/api/v1/users/bob/revoke-tokens', { auth: basic('bob', 'bob-pw-2') })).status).toBe(
      204,
    );
  });

  it('a deleted user’s token stops working', async () => {
    const { h, login } = await setup();
    const admin = basic('admin', ADMIN_PASSWORD);
    await h.call('POST', '/api/v1/users', { auth: admin, body: { username: 'carol', password: 'carol-pw' } });
    const token = await login('carol', 'carol-pw');
    expect((await h.call('POST', '/api/v1/users/carol/revoke-tokens', { auth: bearer(token) })).status).toBe(204);
    const fresh = await login('carol', 'carol-pw');
    expect((await h.call('DELETE', '/api/v1/users/carol', { auth: admin })).status).toBe(204);
    expect((await h.call('POST', '/api/v1/users/carol/revoke-tokens', { auth: bearer(fresh) })).status).toBe(401);
  });

  it('refuses tampered, alg-confused and key-injecting tokens (RELIABILITY §4.2 #22–25)', async () => {
    const { h, login, statusWith, clock } = await setup();
    const token = await login();
    const [head, body, sig] = token.split('.') as [string, string, string];
    const iat = Math.floor(clock() / 1000);
    const claims = { sub: 'admin', iat, exp: iat + 600 };
    expect(await statusWith(bearer(await forge(h, {}, claims)))).toBe(200);
    const bad: Record<string, string> = {
      tamperedSignature: `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`,
      tamperedPayload: `${head}.${b64({ ...claims, sub: 'admin', exp: iat + 99999 })}.${sig}`,
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      algNoneWithSig: `${b64({ alg: 'none' })}.${b64(claims)}.${sig}`,
      hs512Header: `${b64({ alg: 'HS512' })}.${body}.${sig}`,
      rs256Header: `${b64({ alg: 'RS256' })}.${body}.${sig}`,
      jwk: await forge(h, { jwk: { kty: 'oct', k: 'AAAA' } }, claims),
      jku: await forge(h, { jku: 'https://evil.example/jwks' }, claims),
      x5u: await forge(h, { x5u: 'https://evil.example/cert' }, claims),
      kid: await forge(h, { kid: '../../dev/null' }, claims),
      noExp: await forge(h, {}, { sub: 'admin', iat }),
      expString: await forge(h, {}, { sub: 'admin', iat, exp: String(iat + 600) }),
      exp1e20: await forge(h, {}, { sub: 'admin', iat, exp: 1e20 }),
      nbfFuture: await forge(h, {}, { ...claims, nbf: iat + 300 }),
      unknownUser: await forge(h, {}, { ...claims, sub: 'mallory' }),
      garbage: 'Bearer x.y.z',
      noScheme: 'abc',
      digest: 'Digest username="admin"',
    };
    for (const [name, value] of Object.entries(bad)) {
      const auth = value.includes(' ') ? value : bearer(value);
      expect([name, await statusWith(auth)]).toEqual([name, 401]);
    }
    // A bare token signed for another algorithm, sent with no scheme, is refused too.
    expect(await statusWith(bad.algNone as string)).toBe(401);
  });
});
