import { DepotError, type Format, type FormatRequest, type FormatResponse } from '@depot/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createFormatHarness, type FormatHarness, harnessPrincipal } from '../src/format-harness.js';

/** A format that reports what it was handed, and misbehaves on request. */
function probeFormat(seen: FormatRequest[], extra: Partial<Format> = {}): Format {
  return {
    name: 'probe',
    capabilities: { repoTypes: ['hosted'] },
    validateRepositoryOptions: (options) => {
      if (options.bad !== undefined) throw new DepotError('BAD_REQUEST', 'bad option', { details: { field: 'bad' } });
      return { ...options, validated: true };
    },
    init: () => ({
      async handle(req): Promise<FormatResponse> {
        seen.push(req);
        const chunks: Uint8Array[] = [];
        for await (const chunk of req.body) chunks.push(chunk);
        switch (req.path) {
          case 'throw/depot':
            throw new DepotError('CONFLICT', 'taken');
          case 'throw/plain':
            throw new Error('boom');
          case 'throw/401':
            throw new DepotError('UNAUTHORIZED', 'who are you');
          case 'stream':
            return {
              status: 200,
              body: (async function* () {
                yield new Uint8Array([1, 2]);
              })(),
            };
          case 'bad-length':
            return { status: 200, headers: { 'Content-Length': '5' }, body: 'abc' };
          default:
            return { status: 200, headers: { 'X-Echo': 'yes' }, body: Buffer.concat(chunks) };
        }
      },
      challenge: () => 'Probe realm="x"',
    }),
    ...extra,
  };
}

describe('createFormatHarness', () => {
  const open: FormatHarness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  async function harness(extra: Partial<Format> = {}) {
    const seen: FormatRequest[] = [];
    const h = await createFormatHarness({ format: probeFormat(seen, extra) });
    open.push(h);
    await h.createRepo({ name: 'r' });
    return { h, seen };
  }

  it('hands the format a normalized path, the raw path, lower-cased headers and the base URL', async () => {
    const { h, seen } = await harness();
    const res = await h.request({
      method: 'put',
      repo: 'r',
      path: 'a//b/./c%20d',
      query: 'x=1&y=2',
      headers: { 'X-Thing': 'v' },
      body: 'héllo',
    });
    expect([res.status, res.text(), res.headers['x-echo']]).toEqual([200, 'héllo', 'yes']);
    const req = seen[0];
    expect(req?.method).toBe('PUT');
    expect(req?.path).toBe('a/b/c d');
    expect(req?.rawPath).toBe('a//b/./c%20d');
    expect(req?.headers).toEqual({ 'x-thing': 'v', 'content-length': '6' });
    expect(req?.query.get('y')).toBe('2');
    expect(req?.baseUrl).toBe('http://depot.test');
    expect(req?.repo).toMatchObject({ name: 'r', repo_type: 'hosted', format: 'probe', store: 'default' });
  });

  it('rejects traversal and unknown repositories before the format sees them', async () => {
    const { h, seen } = await harness();
    await h.createRepo({ name: 'other', format: 'npm' });
    const traversal = await h.request({ method: 'GET', repo: 'r', path: '..%2f..%2fetc%2fpasswd' });
    expect([traversal.status, traversal.json()]).toEqual([
      400,
      { error: { code: 'BAD_REQUEST', message: expect.any(String) } },
    ]);
    expect((await h.request({ method: 'GET', repo: 'nope', path: 'x' })).status).toBe(404);
    expect((await h.request({ method: 'GET', repo: 'other', path: 'x' })).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it('renders errors: DepotError by code, anything else as INTERNAL_ERROR, 401 with the challenge', async () => {
    const { h } = await harness();
    const conflict = await h.request({ method: 'GET', repo: 'r', path: 'throw/depot' });
    expect([conflict.status, conflict.json()]).toEqual([409, { error: { code: 'CONFLICT', message: 'taken' } }]);
    const plain = await h.request({ method: 'GET', repo: 'r', path: 'throw/plain' });
    expect([plain.status, (plain.json() as { error: { code: string } }).error.code]).toEqual([500, 'INTERNAL_ERROR']);
    const unauthorized = await h.request({ method: 'GET', repo: 'r', path: 'throw/401' });
    expect([unauthorized.status, unauthorized.headers['www-authenticate']]).toEqual([401, 'Probe realm="x"']);
  });

  it("uses the runtime's renderError when it has one", async () => {
    const seen: FormatRequest[] = [];
    const inner = probeFormat(seen);
    const { h } = await harness({
      init: async (ctx) => ({
        ...(await inner.init(ctx)),
        renderError: (err) => ({
          status: err.status,
          headers: { 'WWW-Authenticate': 'Own' },
          body: `custom ${err.code}`,
        }),
      }),
    });
    const res = await h.request({ method: 'GET', repo: 'r', path: 'throw/401' });
    expect([res.status, res.text(), res.headers['www-authenticate']]).toEqual([401, 'custom UNAUTHORIZED', 'Own']);
  });

  it('acts as the default principal, a per-request one, or an `as` view', async () => {
    const { h, seen } = await harness();
    await h.request({ method: 'GET', repo: 'r', path: 'x' });
    await h.request({ method: 'GET', repo: 'r', path: 'x', principal: 'reader' });
    await h.as('anonymous').request({ method: 'GET', repo: 'r', path: 'x' });
    const who = seen.map((r) => [r.principal.username, r.principal.anonymous, r.principal.can('write', 'r')]);
    expect(who).toEqual([
      ['admin', false, true],
      ['reader', false, false],
      ['anonymous', true, false],
    ]);
    expect(harnessPrincipal('writer').can('delete', 'any')).toBe(true);
  });

  it('fails loudly on a streamed HEAD body or a wrong content-length', async () => {
    const { h } = await harness();
    await expect(h.request({ method: 'HEAD', repo: 'r', path: 'stream' })).rejects.toThrow(/HEAD/);
    expect((await h.request({ method: 'GET', repo: 'r', path: 'stream' })).body).toEqual(Buffer.from([1, 2]));
    await expect(h.request({ method: 'GET', repo: 'r', path: 'bad-length' })).rejects.toThrow(/content-length/);
  });

  it('validates format_options on createRepo like the server', async () => {
    const { h } = await harness();
    expect((await h.createRepo({ name: 'ok', format_options: { a: 1 } })).format_options).toEqual({
      a: 1,
      validated: true,
    });
    await expect(h.createRepo({ name: 'no', format_options: { bad: 1 } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await h.records.repositories.get('no')).toBeNull();
  });

  it('serves itself over real HTTP, counts hits and stops', async () => {
    const { h, seen } = await harness();
    const server = await h.listen();
    const res = await fetch(`${server.url}/repository/r/some/path?q=1`, { method: 'PUT', body: 'over http' });
    expect([res.status, await res.text()]).toEqual([200, 'over http']);
    expect(seen[0]?.path).toBe('some/path');
    expect(server.requests).toEqual([{ method: 'PUT', path: '/repository/r/some/path' }]);
    await server.stop();
    await expect(fetch(`${server.url}/repository/r/x`)).rejects.toThrow();
  });

  it('dispatches declared mounts to handleMount, 404 without one', async () => {
    const { h } = await harness();
    expect((await h.mount({ method: 'GET', rawPath: '/v2/' })).status).toBe(404);
    const seen: FormatRequest[] = [];
    const inner = probeFormat(seen);
    const mounted = await harness({
      capabilities: { repoTypes: ['hosted'], mounts: ['/v2'] },
      init: async (ctx) => ({
        ...(await inner.init(ctx)),
        handleMount: async (req) => ({ status: 200, body: `${req.rawPath} ${req.boundRepo?.name ?? '-'}` }),
      }),
    });
    expect((await mounted.h.mount({ method: 'GET', rawPath: '/v2/x', boundRepo: 'r' })).text()).toBe('/v2/x r');
    // As on the server: a path outside the declared mounts never reaches handleMount.
    expect((await mounted.h.mount({ method: 'GET', rawPath: '/v3/x' })).status).toBe(404);
  });

  it('offers a stand-in AuthService', async () => {
    const h = await createFormatHarness({
      format: probeFormat([]),
      users: { ann: { password: 'pw', role: 'writer' } },
    });
    open.push(h);
    expect(await h.auth.verifyPassword('ann', 'wrong')).toBeNull();
    const ann = await h.auth.verifyPassword('ann', 'pw');
    expect([ann?.username, ann?.can('write', 'r')]).toEqual(['ann', true]);
    const { token } = await h.auth.issueToken(ann ?? harnessPrincipal('anonymous'));
    expect(h.auth.principalForToken(token)?.username).toBe('ann');
    expect(h.auth.principalForToken('forged')).toBeNull();
  });
});
