import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic } from '../../test/fixtures/auth/harness.js';

const headers = (authorization: string): Headers => new Headers({ authorization });

describe('authenticate', () => {
  it('resolves Basic credentials to the user’s principal with its grants', async () => {
    const h = await authHarness();
    const p = await h.auth.authenticate(headers(basic('admin', ADMIN_PASSWORD)), '127.0.0.1');
    expect(p).toMatchObject({ username: 'admin', anonymous: false, admin: true });
    expect(p.can('delete', 'any-repo')).toBe(true);
  });

  it('refuses malformed or wrong credentials with UNAUTHORIZED, never a 500 (RELIABILITY §4.2 #19)', async () => {
    const h = await authHarness();
    const cases = [
      basic('admin', 'wrong'),
      basic('nobody', 'x'),
      basic('admin', ''),
      basic('admin', 'x'.repeat(10_000)),
      'Basic !!!notbase64!!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Basic ${Buffer.from(':password-only').toString('base64')}`,
      'Basic',
      'Negotiate abc',
      `Bearer ${'a'.repeat(9000)}`,
    ];
    for (const value of cases) {
      await expect(h.auth.authenticate(headers(value), '127.0.0.1'), value.slice(0, 40)).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    }
    const failed = await h.auth.authenticate(headers(basic('admin', 'wrong')), '127.0.0.1').catch((e: unknown) => e);
    expect(failed).toMatchObject({ details: { scheme: 'basic' } });
  });

  it('caches verified Basic credentials, and forgets them when the password changes', async () => {
    const h = await authHarness({ tuning: { credentialTtlMs: 60_000 } });
    await h.call('POST', '/api/v1/users', {
      auth: basic('admin', ADMIN_PASSWORD),
      body: { username: 'hal', password: 'hal-pw' },
    });
    const time = async (): Promise<number> => {
      const t = performance.now();
      await h.auth.authenticate(headers(basic('hal', 'hal-pw')), '127.0.0.1');
      return performance.now() - t;
    };
    const first = await time();
    const cached = Math.min(await time(), await time(), await time());
    expect(first).toBeGreaterThan(5);
    expect(cached).toBeLessThan(first / 5);
    await h.call('PUT', '/api/v1/users/hal', { auth: basic('admin', ADMIN_PASSWORD), body: { password: 'hal-pw-2' } });
    await expect(h.auth.authenticate(headers(basic('hal', 'hal-pw')), '127.0.0.1')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(h.auth.authenticate(headers(basic('hal', 'hal-pw-2')), '127.0.0.1')).resolves.toMatchObject({
      username: 'hal',
    });
  });

  it('a deleted user’s cached Basic credentials stop working at once', async () => {
    const h = await authHarness();
    await h.call('POST', '/api/v1/users', {
      auth: basic('admin', ADMIN_PASSWORD),
      body: { username: 'ian', password: 'ian-pw' },
    });
    await h.auth.authenticate(headers(basic('ian', 'ian-pw')), '127.0.0.1');
    await h.call('DELETE', '/api/v1/users/ian', { auth: basic('admin', ADMIN_PASSWORD) });
    await expect(h.auth.authenticate(headers(basic('ian', 'ian-pw')), '127.0.0.1')).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('serves formats: verifyPassword and issueToken', async () => {
    const h = await authHarness();
    expect(await h.auth.service.verifyPassword('admin', 'nope')).toBeNull();
    const p = await h.auth.service.verifyPassword('admin', ADMIN_PASSWORD);
    if (p === null) throw new Error('admin did not verify');
    const issued = await h.auth.service.issueToken(p);
    expect(issued.expiresInSecs).toBe(86_400);
    await expect(h.auth.authenticate(headers(`Bearer ${issued.token}`), '127.0.0.1')).resolves.toMatchObject({
      username: 'admin',
    });
  });

  it('takes a token as the password of the Basic user __token__ (PyPI clients); a bad one is a Basic 401', async () => {
    const h = await authHarness();
    const p = await h.auth.service.verifyPassword('admin', ADMIN_PASSWORD);
    if (p === null) throw new Error('admin did not verify');
    const { token } = await h.auth.service.issueToken(p);
    await expect(h.auth.authenticate(headers(basic('__token__', token)), '127.0.0.1')).resolves.toMatchObject({
      username: 'admin',
    });
    for (const bad of [`${token}x`, 'not-a-token', ADMIN_PASSWORD]) {
      await expect(h.auth.authenticate(headers(basic('__token__', bad)), '127.0.0.1')).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        details: { scheme: 'basic' },
      });
    }
  });
});
