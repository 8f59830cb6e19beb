import { describe, expect, it } from 'vitest';
import type { Principal, RepoAction } from '../auth/principal.js';
import { DepotError } from '../errors/depot-error.js';
import type { FormatResponse, FormatRuntime } from '../format/format.js';
import type { RepositoryRecord } from '../kv/records.js';
import { noopLogger } from '../logger.js';
import type { RepositoryEngine } from '../repo/engine.js';
import { createDispatcher, type DispatchRequest, EMPTY_BODY } from './dispatch.js';

const who = (username: string, actions: readonly RepoAction[]): Principal => ({
  username,
  anonymous: username === 'anonymous',
  admin: false,
  can: (action) => actions.includes(action),
});
const ANON = who('anonymous', []);
const READER = who('reader', ['read']);
const WRITER = who('writer', ['read', 'write']);

const REPO: RepositoryRecord = {
  name: 'r',
  format: 'probe',
  repo_type: 'hosted',
  store: 'default',
  created_at: '',
  updated_at: '',
};

interface Sent {
  readonly response: FormatResponse;
  readonly error: DepotError | undefined;
  readonly bodyOpened: boolean;
  readonly handled: number;
}

/** A stand-in engine whose `as(p)` views remember `p`: what the dispatch hands a format. */
const views = new WeakMap<object, Principal>();
const ENGINE = {
  as(principal: Principal) {
    const view = {};
    views.set(view, principal);
    return view;
  },
} as unknown as RepositoryEngine;
const actingAs = (engine: RepositoryEngine): Principal => {
  const principal = views.get(engine);
  if (principal === undefined) throw new Error('not a view of the dispatch engine');
  return principal;
};

/** A dispatcher over one repository `r` of format `probe` and a `/m` mount; the handlers never check. */
function setup(runtime: Partial<FormatRuntime> = {}, repo: RepositoryRecord = REPO) {
  let handled = 0;
  const seen: string[] = [];
  const probe: FormatRuntime = {
    async handle(req) {
      handled++;
      seen.push(actingAs(req.engine).username);
      return { status: 200, body: `${req.method} ${req.path}` };
    },
    async handleMount(req) {
      handled++;
      return { status: 200, body: `mount ${req.rawPath}` };
    },
    renderError: (err) => ({ status: err.status, body: JSON.stringify({ probe: err.code }) }),
    challenge: () => 'Probe realm="x"',
    ...runtime,
  };
  const dispatcher = createDispatcher({
    engine: ENGINE,
    findRepository: async (name) => (name === repo.name ? repo : null),
    runtimeFor: (name) => (name === 'probe' ? probe : undefined),
    mountFor: (rawPath) => (rawPath.startsWith('/m/') ? probe : undefined),
    authenticate: (req) => {
      if (req.headers.authorization === 'bad') throw new DepotError('UNAUTHORIZED', 'bad credentials');
      return req.principal;
    },
    logger: noopLogger,
  });
  async function send(method: string, rawPath: string, principal: Principal, headers = {}): Promise<Sent> {
    let bodyOpened = false;
    const req: DispatchRequest = {
      method,
      rawPath,
      query: new URLSearchParams(),
      headers,
      body: EMPTY_BODY,
      openBody: () => {
        bodyOpened = true;
        return EMPTY_BODY;
      },
      baseUrl: 'http://depot.test',
      principal,
      signal: new AbortController().signal,
    };
    const before = handled;
    let result: { response: FormatResponse; error: DepotError | undefined } | undefined;
    await dispatcher.dispatch(req, async (response, error) => {
      result = { response, error };
    });
    if (result === undefined) throw new Error('nothing sent');
    return { ...result, bodyOpened, handled: handled - before };
  }
  return { dispatcher, send, seen };
}

describe('createDispatcher: read_only repositories', () => {
  const FROZEN: RepositoryRecord = { ...REPO, write_policy: 'read_only' };
  it('refuse writes and deletes with 405 before the handler runs or the body opens; reads pass', async () => {
    const { send } = setup({}, FROZEN);
    const admin = who('admin', ['read', 'write', 'delete']);
    for (const method of ['PUT', 'POST', 'DELETE']) {
      const sent = await send(method, '/repository/r/a.bin', admin);
      expect([sent.error?.code, sent.response.status, sent.handled, sent.bodyOpened]).toEqual([
        'NOT_ALLOWED',
        405,
        0,
        false,
      ]);
    }
    expect((await send('GET', '/repository/r/a.bin', admin)).response.status).toBe(200);
  });

  it('honour declared actions: a POST the format declares a read passes, a mount write naming the repository does not', async () => {
    const { send } = setup(
      {
        access: (req) => (req.path === 'search' ? 'read' : undefined),
        mountAccess: () => ({ action: 'write', repo: 'r' }),
      },
      FROZEN,
    );
    expect((await send('POST', '/repository/r/search', WRITER)).response.status).toBe(200);
    const mounted = await send('PUT', '/m/x', WRITER);
    expect([mounted.error?.code, mounted.handled]).toEqual(['NOT_ALLOWED', 0]);
  });
});

describe('createDispatcher: access safe by default', () => {
  it('refuses a read-only PUT/POST/PATCH with 403 before the handler runs or the body opens', async () => {
    const { send } = setup();
    for (const method of ['PUT', 'POST', 'PATCH', 'PROPFIND']) {
      const sent = await send(method, '/repository/r/a.bin', READER);
      expect([sent.error?.code, sent.response.status, sent.handled, sent.bodyOpened]).toEqual([
        'FORBIDDEN',
        403,
        0,
        false,
      ]);
      expect(JSON.parse(String(sent.response.body))).toEqual({ probe: 'FORBIDDEN' });
    }
  });

  it('needs delete for DELETE, read for GET/HEAD; anonymous gets 401 with the format challenge', async () => {
    const { send } = setup();
    expect((await send('DELETE', '/repository/r/a.bin', WRITER)).error?.code).toBe('FORBIDDEN');
    const anon = await send('DELETE', '/repository/r/a.bin', ANON);
    expect([anon.error?.code, anon.response.headers?.['www-authenticate']]).toEqual([
      'UNAUTHORIZED',
      'Probe realm="x"',
    ]);
    expect((await send('GET', '/repository/r/a.bin', ANON)).error?.code).toBe('UNAUTHORIZED');
    const ok = await send('PUT', '/repository/r/a.bin', WRITER);
    expect([ok.response.status, ok.handled, ok.bodyOpened]).toEqual([200, 1, true]);
    expect((await send('HEAD', '/repository/r/a.bin', READER)).response.status).toBe(200);
  });

  it('honours what the format declares: public, authenticated, another action', async () => {
    const { send } = setup({
      access: (req) => {
        if (req.path === 'login') return 'public';
        if (req.path === 'me') return 'authenticated';
        if (req.path === 'tag' && req.method === 'DELETE') return 'write';
        return undefined;
      },
    });
    expect((await send('PUT', '/repository/r/login', ANON)).response.status).toBe(200);
    expect((await send('GET', '/repository/r/me', who('nobody', []))).response.status).toBe(200);
    expect((await send('GET', '/repository/r/me', ANON)).error?.code).toBe('UNAUTHORIZED');
    expect((await send('DELETE', '/repository/r/tag', WRITER)).response.status).toBe(200);
    expect((await send('DELETE', '/repository/r/tag', READER)).error?.code).toBe('FORBIDDEN');
  });

  it('mounts: mutating methods need a signed-in caller unless declared; reads reach the format', async () => {
    const { send } = setup({ mountAccess: (req) => (req.rawPath === '/m/token' ? 'public' : undefined) });
    expect((await send('GET', '/m/x', ANON)).response.body).toBe('mount /m/x');
    const post = await send('POST', '/m/x', ANON);
    expect([post.error?.code, post.handled, post.bodyOpened]).toEqual(['UNAUTHORIZED', 0, false]);
    expect((await send('POST', '/m/x', READER)).response.status).toBe(200);
    expect((await send('POST', '/m/token', ANON)).response.status).toBe(200);
  });
});

describe('createDispatcher: routing, the caller’s engine, one error renderer', () => {
  it('runs the handler as the caller', async () => {
    const { send, seen } = setup();
    await send('GET', '/repository/r/x', READER);
    expect(seen).toEqual(['reader']);
  });

  it('unknown repository, bad names and bad paths: 404/400 in JSON or the format shape', async () => {
    const { send } = setup();
    const missing = await send('GET', '/repository/nope/x', READER);
    expect([missing.error?.code, missing.response.headers?.['content-type']]).toEqual([
      'NOT_FOUND',
      'application/json',
    ]);
    expect((await send('GET', '/repository/%zz/x', READER)).error?.code).toBe('BAD_REQUEST');
    expect((await send('GET', '/repository/', READER)).error?.code).toBe('NOT_FOUND');
    expect((await send('GET', '/nowhere', READER)).error?.code).toBe('NOT_FOUND');
    const traversal = await send('GET', '/repository/r/a/%2e%2e/%2e%2e/etc', READER);
    expect([traversal.error?.code, JSON.parse(String(traversal.response.body))]).toEqual([
      'BAD_REQUEST',
      { probe: 'BAD_REQUEST' },
    ]);
  });

  it('bad credentials on a mount render in the format shape with its challenge', async () => {
    const { send } = setup();
    const sent = await send('GET', '/m/x', ANON, { authorization: 'bad' });
    expect(JSON.parse(String(sent.response.body))).toEqual({ probe: 'UNAUTHORIZED' });
    expect(sent.response.headers?.['www-authenticate']).toBe('Probe realm="x"');
  });

  it('an unexpected throw is INTERNAL_ERROR without its message; a throwing renderer falls back to JSON', async () => {
    const { send } = setup({
      handle: async () => {
        throw new Error('secret detail');
      },
      renderError: () => {
        throw new Error('renderer broke');
      },
    });
    const sent = await send('GET', '/repository/r/x', READER);
    expect([sent.error?.code, sent.response.status]).toEqual(['INTERNAL_ERROR', 500]);
    expect(String(sent.response.body)).not.toContain('secret');
    expect(JSON.parse(String(sent.response.body))).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
  });

  it('a failure while sending is rendered and sent once more with the error set', async () => {
    const { dispatcher } = setup();
    const calls: (string | undefined)[] = [];
    const req: DispatchRequest = {
      method: 'GET',
      rawPath: '/repository/r/x',
      query: new URLSearchParams(),
      headers: {},
      body: EMPTY_BODY,
      openBody: () => EMPTY_BODY,
      baseUrl: 'http://depot.test',
      principal: READER,
      signal: new AbortController().signal,
    };
    await dispatcher.dispatch(req, async (_response, error) => {
      calls.push(error?.code);
      if (error === undefined) throw new DepotError('STORAGE_UNAVAILABLE', 'disk gone');
    });
    expect(calls).toEqual([undefined, 'STORAGE_UNAVAILABLE']);
  });
});
