import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic, bearer } from '../../test/fixtures/auth/harness.js';

const ADMIN = basic('admin', ADMIN_PASSWORD);

async function setup() {
  let now = Date.UTC(2026, 0, 1);
  const h = await authHarness({ tuning: { now: () => now } });
  const advance = (secs: number): void => {
    now += secs * 1000;
  };
  // A user with read+write+delete on team-* only.
  expect(
    (
      await h.call('POST', '/api/v1/roles', {
        auth: ADMIN,
        body: {
          name: 'team',
          capabilities: ['read', 'write', 'delete'].map((capability) => ({ capability, repo: 'team-*' })),
        },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await h.call('POST', '/api/v1/users', {
        auth: ADMIN,
        body: { username: 'ci', password: 'ci-password', roles: ['team'] },
      })
    ).status,
  ).toBe(201);
  const CI = basic('ci', 'ci-password');
  const create = (auth: string, body: Record<string, unknown>) => h.call('POST', '/api/v1/tokens', { auth, body });
  /** The principal a credential resolves to, through the module's own authenticate. */
  const who = (authorization: string) => h.auth.authenticate(new Headers({ authorization }), '127.0.0.1');
  return { h, advance, CI, create, who, clock: () => now };
}

describe('API tokens', () => {
  it('act as their owner narrowed to their grants, in every credential slot', async () => {
    const { create, who, CI } = await setup();
    const made = await create(CI, { name: 'deploy', grants: [{ capability: 'write', repo: 'team-npm' }] });
    expect(made.status).toBe(201);
    const token = String(made.body.token);
    expect(token).toMatch(/^dpt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(made.body).not.toHaveProperty('secret_sha256');
    for (const slot of [bearer(token), token, basic('__token__', token), basic('anyone', token), basic('ci', token)]) {
      const p = await who(slot);
      expect(p.username).toBe('ci');
      expect([p.can('write', 'team-npm'), p.can('read', 'team-npm'), p.can('write', 'team-other')]).toEqual([
        true,
        false,
        false,
      ]);
      expect(p.admin).toBe(false);
    }
  });

  it('never reach beyond the owner: a glob wider than the owner is cut to the owner, a named repo the owner lacks is 403', async () => {
    const { create, who, CI } = await setup();
    const wide = await create(CI, { name: 'wide', grants: [{ capability: 'read', repo: '*' }] });
    const p = await who(bearer(String(wide.body.token)));
    expect([p.can('read', 'team-a'), p.can('read', 'secret')]).toEqual([true, false]);
    const refused = await create(CI, { name: 'x', grants: [{ capability: 'write', repo: 'secret' }] });
    expect([refused.status, (refused.body.error as { code: string }).code]).toEqual([403, 'FORBIDDEN']);
    const admin = await create(CI, { name: 'x', grants: [{ capability: 'admin', repo: '*' }] });
    expect(admin.status).toBe(403);
  });

  it('an administrator’s token administers only with an admin grant', async () => {
    const { h, create } = await setup();
    const reader = await create(ADMIN, { name: 'r', grants: [{ capability: 'read', repo: '*' }] });
    expect((await h.call('GET', '/api/v1/users', { auth: bearer(String(reader.body.token)) })).status).toBe(403);
    const full = await create(ADMIN, { name: 'a', grants: [{ capability: 'admin', repo: '*' }] });
    expect((await h.call('GET', '/api/v1/users', { auth: bearer(String(full.body.token)) })).status).toBe(200);
    const bad = await create(ADMIN, { name: 'a', grants: [{ capability: 'admin', repo: 'team-*' }] });
    expect(bad.status).toBe(400);
  });

  it('expire at expires_at; refuse past dates, dates over a year out and bad input with 400', async () => {
    const { create, who, CI, advance, clock } = await setup();
    const at = new Date(clock() + 3600_000).toISOString();
    const made = await create(CI, { name: 'short', expires_at: at, grants: [{ capability: 'read', repo: 'team-*' }] });
    expect(made.body.expires_at).toBe(at);
    const token = String(made.body.token);
    advance(3599);
    expect((await who(bearer(token))).username).toBe('ci');
    advance(1);
    await expect(who(bearer(token))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const grants = [{ capability: 'read', repo: 'team-*' }];
    for (const body of [
      { name: 'p', expires_at: new Date(clock() - 1000).toISOString(), grants },
      { name: 'p', expires_at: new Date(clock() + 400 * 86_400_000).toISOString(), grants },
      { name: 'p', expires_at: 'tomorrow', grants },
      { name: 'p', grants: [] },
      { name: 'p', grants: [{ capability: 'read', repo: 'team/../x' }] },
      { name: 'p', grants: [{ capability: 'own', repo: '*' }] },
      { grants },
      { name: 'p', grants, extra: 1 },
    ]) {
      expect((await create(CI, body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('stop working when deleted, when the owner revokes their tokens, or when the owner is deleted', async () => {
    const { h, create, who, CI } = await setup();
    const grants = [{ capability: 'read', repo: 'team-*' }];
    const a = await create(CI, { name: 'a', grants });
    const b = await create(CI, { name: 'b', grants });
    const listed = await h.call('GET', '/api/v1/tokens', { auth: CI });
    expect((listed.body.tokens as { name: string }[]).map((t) => t.name).sort()).toEqual(['a', 'b']);
    // The owner (with any of their credentials) deletes; other users cannot list them, administrators can.
    expect(
      (await h.call('DELETE', `/api/v1/tokens/${String(a.body.id)}`, { auth: bearer(String(b.body.token)) })).status,
    ).toBe(204);
    await expect(who(bearer(String(a.body.token)))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await h.call('GET', '/api/v1/tokens?user=admin', { auth: CI })).status).toBe(403);
    expect(((await h.call('GET', '/api/v1/tokens?user=ci', { auth: ADMIN })).body.tokens as unknown[]).length).toBe(1);
    expect((await h.call('POST', '/api/v1/users/ci/revoke-tokens', { auth: CI })).status).toBeLessThan(300);
    await expect(who(bearer(String(b.body.token)))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const c = await create(CI, { name: 'c', grants });
    expect((await h.call('DELETE', '/api/v1/users/ci', { auth: ADMIN })).status).toBe(204);
    await expect(who(bearer(String(c.body.token)))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('cannot mint tokens, and a forged or truncated token is 401 like a wrong password', async () => {
    const { h, create, who, CI } = await setup();
    const made = await create(CI, { name: 'a', grants: [{ capability: 'read', repo: 'team-*' }] });
    const token = String(made.body.token);
    const minted = await create(bearer(token), { name: 'b', grants: [{ capability: 'read', repo: 'team-*' }] });
    expect(minted.status).toBe(403);
    const other = await h.call('DELETE', `/api/v1/tokens/${String(made.body.id)}`, { auth: ADMIN });
    expect(other.status).toBe(204);
    for (const bad of [
      `${token.slice(0, -1)}A`,
      token.slice(0, 30),
      'dpt_',
      `dpt_${'0'.repeat(16)}_${'A'.repeat(43)}`,
    ]) {
      await expect(who(bearer(bad))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(who(basic('__token__', bad))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect((await h.call('DELETE', '/api/v1/tokens/nonsense', { auth: CI })).status).toBe(404);
  });

  it('record their last use at most once a minute', async () => {
    const { h, create, who, CI, advance } = await setup();
    const made = await create(CI, { name: 'a', grants: [{ capability: 'read', repo: 'team-*' }] });
    const id = String(made.body.id);
    const lastUsed = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return (await h.records.apiTokens.get(id))?.last_used_at;
    };
    expect(await lastUsed()).toBeUndefined();
    await who(bearer(String(made.body.token)));
    const first = await lastUsed();
    expect(first).toBe(new Date(Date.UTC(2026, 0, 1)).toISOString());
    advance(30);
    await who(bearer(String(made.body.token)));
    expect(await lastUsed()).toBe(first);
    advance(31);
    await who(bearer(String(made.body.token)));
    expect(await lastUsed()).not.toBe(first);
  });
});
