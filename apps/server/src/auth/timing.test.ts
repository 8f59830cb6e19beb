import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, authHarness, basic } from '../../test/fixtures/auth/harness.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

describe('login timing (RELIABILITY §4.2 #28)', () => {
  it('an unknown user takes as long as a known user with a wrong password (medians within 10 %)', {
    timeout: 120_000,
  }, async () => {
    // Hundreds of wrong passwords on purpose: the login throttle would cut them at its limit.
    const h = await authHarness({
      settings: { login_throttle: { max_failures_per_user: 0, max_failures_per_client: 0, window_secs: 60 } },
    });
    await h.call('POST', '/api/v1/users', {
      auth: basic('admin', ADMIN_PASSWORD),
      body: { username: 'known', password: 'right-password' },
    });
    const login = async (username: string): Promise<number> => {
      const t = performance.now();
      const r = await h.call('POST', '/api/v1/auth/login', { body: { username, password: 'wrong-password' } });
      const elapsed = performance.now() - t;
      expect(r.status).toBe(401);
      return elapsed;
    };
    for (let i = 0; i < 10; i++) {
      await login('known');
      await login('unknown-user');
    }
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved so drift (CPU frequency, other tests) hits both series alike.
    for (let i = 0; i < 200; i++) {
      known.push(await login('known'));
      unknown.push(await login('unknown-user'));
    }
    const k = median(known);
    const u = median(unknown);
    expect(k).toBeGreaterThan(5);
    expect(Math.abs(u - k) / k, `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThan(0.1);
  });
});
