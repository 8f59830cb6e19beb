import { describe, expect, it } from 'vitest';
import { authHarness } from '../../test/fixtures/auth/harness.js';
import { clientKey, isTrustedProxy } from './rate-limit.js';

describe('rate limiting', () => {
  it('answers 429 once a client’s burst is spent, and refills over time', async () => {
    let now = 1_000_000;
    const h = await authHarness({
      settings: { rate_limit: { requests_per_second: 2, burst_size: 3 } },
      tuning: { now: () => now },
    });
    const hit = async (peer: string): Promise<number> =>
      (await h.call('POST', '/api/v1/auth/login', { peer, body: { username: 'x', password: '' } })).status;
    expect([await hit('10.0.0.1'), await hit('10.0.0.1'), await hit('10.0.0.1')]).toEqual([401, 401, 401]);
    expect(await hit('10.0.0.1')).toBe(429);
    expect(await hit('10.0.0.2')).toBe(401);
    now += 500;
    expect(await hit('10.0.0.1')).toBe(401);
    expect(await hit('10.0.0.1')).toBe(429);
    h.settings.rate_limit = null;
    expect(await hit('10.0.0.1')).toBe(401);
  });

  it('ignores X-Forwarded-For from untrusted peers and honours it from trusted proxies', async () => {
    const h = await authHarness({ settings: { rate_limit: { requests_per_second: 1, burst_size: 1 } } });
    const hit = async (peer: string, xff: string): Promise<number> =>
      (await h.call('GET', '/api/v1/users', { peer, headers: { 'x-forwarded-for': xff } })).status;
    expect(await hit('203.0.113.9', '198.51.100.1')).toBe(401);
    // Spoofing a new X-Forwarded-For per request does not buy a fresh bucket.
    expect(await hit('203.0.113.9', '198.51.100.2')).toBe(429);
    h.settings.trusted_proxies = ['10.1.0.0/16'];
    expect(await hit('10.1.2.3', '198.51.100.3')).toBe(401);
    expect(await hit('10.1.2.3', '198.51.100.4')).toBe(401);
    expect(await hit('10.1.9.9', '198.51.100.3')).toBe(429);
  });

  it('picks the right-most untrusted X-Forwarded-For hop', () => {
    const trusted = ['10.0.0.0/8', '192.0.2.7'];
    const h = (xff: string): Headers => new Headers({ 'x-forwarded-for': xff });
    expect(clientKey('10.0.0.5', h('1.1.1.1, 2.2.2.2, 10.9.9.9'), trusted)).toBe('2.2.2.2');
    expect(clientKey('::ffff:192.0.2.7', h('3.3.3.3'), trusted)).toBe('3.3.3.3');
    expect(clientKey('8.8.8.8', h('3.3.3.3'), trusted)).toBe('8.8.8.8');
    expect(clientKey('10.0.0.5', h('garbage'), trusted)).toBe('10.0.0.5');
    expect(isTrustedProxy('11.0.0.1', trusted)).toBe(false);
    expect(isTrustedProxy('10.255.0.1', trusted)).toBe(true);
  });
});
