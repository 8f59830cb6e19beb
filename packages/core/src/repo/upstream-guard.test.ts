import { describe, expect, it } from 'vitest';
import { isDepotError } from '../errors/depot-error.js';
import type { RepositoryRecord } from '../kv/records.js';
import { noopLogger } from '../logger.js';
import { guardUpstreamFetch, MAX_UPSTREAM_REDIRECTS, redirectHostListed } from './upstream-guard.js';

const repo = (extra: Partial<RepositoryRecord> = {}): RepositoryRecord => ({
  name: 'c',
  repo_type: 'cache',
  format: 'raw',
  store: 'main',
  upstream_url: 'https://up.test/base/',
  created_at: '',
  updated_at: '',
  ...extra,
});

/** A fake fetch answering from `routes` (URL → [status, location?]) and recording each request. */
function fakeFetch(routes: Record<string, [number, string?]>) {
  const calls: { url: string; authorization: string | null; method: string; redirect: string | undefined }[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    calls.push({
      url,
      authorization: headers.get('authorization'),
      method: init.method ?? 'GET',
      redirect: init.redirect,
    });
    const [status, location] = routes[url] ?? [200];
    return new Response(status === 200 ? 'ok' : null, {
      status,
      headers: location === undefined ? {} : { location },
    });
  };
  return { fetch, calls };
}

const auth = { headers: { authorization: 'Basic c2VjcmV0' } };

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('should fail'),
    (err: unknown) => err,
  );
}

describe('guardUpstreamFetch', () => {
  it('follows same-origin redirects by hand, keeping credentials', async () => {
    const { fetch, calls } = fakeFetch({ 'https://up.test/base/a': [302, '/base/b'] });
    const res = await guardUpstreamFetch(fetch, repo(), noopLogger)('https://up.test/base/a', auth);
    expect(res.status).toBe(200);
    expect(calls.map((c) => [c.url, c.authorization, c.redirect])).toEqual([
      ['https://up.test/base/a', 'Basic c2VjcmV0', 'manual'],
      ['https://up.test/base/b', 'Basic c2VjcmV0', 'manual'],
    ]);
  });

  it('refuses another host, another port and another scheme unless listed', async () => {
    for (const location of ['https://evil.test/x', 'https://up.test:8443/x', 'http://up.test/x', 'ftp://up.test/x']) {
      const { fetch, calls } = fakeFetch({ 'https://up.test/base/a': [302, location] });
      const err = await failure(guardUpstreamFetch(fetch, repo(), noopLogger)('https://up.test/base/a', auth));
      expect(isDepotError(err, 'UPSTREAM_ERROR'), location).toBe(true);
      expect(calls).toHaveLength(1);
    }
  });

  it('stops after MAX_UPSTREAM_REDIRECTS redirects', async () => {
    const routes: Record<string, [number, string?]> = {};
    for (let i = 0; i < 30; i++) routes[`https://up.test/${i}`] = [307, `/${i + 1}`];
    const { fetch, calls } = fakeFetch(routes);
    const err = await failure(guardUpstreamFetch(fetch, repo(), noopLogger)('https://up.test/0', {}));
    expect(isDepotError(err, 'UPSTREAM_ERROR')).toBe(true);
    expect(calls).toHaveLength(MAX_UPSTREAM_REDIRECTS + 1);
  });

  it('follows a listed host without the credentials, and never back to them', async () => {
    const { fetch, calls } = fakeFetch({
      'https://up.test/base/a': [302, 'https://eu.cdn.test/blob'],
      'https://eu.cdn.test/blob': [302, 'https://up.test/base/c'],
    });
    const guarded = guardUpstreamFetch(fetch, repo({ upstream_redirect_hosts: ['*.cdn.test'] }), noopLogger);
    expect((await guarded('https://up.test/base/a', auth)).status).toBe(200);
    expect(calls.map((c) => c.authorization)).toEqual(['Basic c2VjcmV0', null, null]);
  });

  it('refuses a non-public IP literal reached through a wildcard or a name entry', async () => {
    const { fetch } = fakeFetch({ 'https://up.test/a': [302, 'http://169.254.169.254/latest'] });
    const err = await failure(
      guardUpstreamFetch(
        fetch,
        repo({ upstream_redirect_hosts: ['*.254.169.254'] }),
        noopLogger,
      )('https://up.test/a', {}),
    );
    expect(isDepotError(err, 'UPSTREAM_ERROR')).toBe(true);
  });

  it('turns a 303 after a POST into a GET', async () => {
    const { fetch, calls } = fakeFetch({ 'https://up.test/a': [303, '/b'] });
    await guardUpstreamFetch(fetch, repo(), noopLogger)('https://up.test/a', { method: 'POST' });
    expect(calls.map((c) => c.method)).toEqual(['POST', 'GET']);
  });

  it('never sends userinfo left in a URL', async () => {
    const { fetch, calls } = fakeFetch({});
    await guardUpstreamFetch(fetch, repo(), noopLogger)('https://u:pw@up.test/base/a', {});
    expect(calls.map((c) => c.url)).toEqual(['https://up.test/base/a']);
  });
});

describe('redirectHostListed', () => {
  it('matches names, host:port and wildcards', () => {
    const u = (s: string) => new URL(s);
    expect(redirectHostListed(u('https://cdn.test/x'), ['CDN.test'])).toBe(true);
    expect(redirectHostListed(u('https://cdn.test:8443/x'), ['cdn.test'])).toBe(true);
    expect(redirectHostListed(u('https://cdn.test:8443/x'), ['cdn.test:8443'])).toBe(true);
    expect(redirectHostListed(u('https://cdn.test:9443/x'), ['cdn.test:8443'])).toBe(false);
    expect(redirectHostListed(u('https://a.b.cdn.test/x'), ['*.cdn.test'])).toBe(true);
    expect(redirectHostListed(u('https://cdn.test/x'), ['*.cdn.test'])).toBe(false);
    expect(redirectHostListed(u('https://evilcdn.test/x'), ['*.cdn.test'])).toBe(false);
  });
});
