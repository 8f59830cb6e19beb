import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api, type DepotProcess } from './helpers/depot-process.js';
import { useDepot } from './helpers/use-depot.js';

type ErrorBody = { error: { code: string; message: string } };
type Repo = Record<string, unknown> & { name: string };

/** A loopback HTTP stand-in that records every request it gets. */
interface StandIn {
  readonly port: number;
  readonly url: string;
  readonly seen: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

async function standIn(handle: (req: IncomingMessage, port: number) => [number, Record<string, string>, string]) {
  const seen: StandIn['seen'] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const [status, headers, body] = handle(req, port);
    res.writeHead(status, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } satisfies StandIn;
}

let secret: StandIn;
let cdn: StandIn;
let upstream: StandIn;

beforeAll(async () => {
  secret = await standIn(() => [200, { 'content-type': 'text/plain' }, 'internal-secret']);
  cdn = await standIn(() => [200, { 'content-type': 'text/plain' }, 'from-the-cdn']);
  upstream = await standIn((req) => {
    const path = req.url ?? '/';
    const loop = /^\/loop\/(\d+)$/.exec(path);
    if (loop) return [302, { location: `/loop/${Number(loop[1]) + 1}` }, ''];
    if (path === '/to-other-port') return [302, { location: `http://127.0.0.1:${secret.port}/internal-secret` }, ''];
    if (path === '/to-same-host') return [301, { location: '/file.txt' }, ''];
    if (path === '/to-cdn') return [302, { location: `http://127.0.0.1:${cdn.port}/blob` }, ''];
    if (path === '/file.txt') return [200, { 'content-type': 'text/plain' }, 'same-host-file'];
    return [404, {}, 'no'];
  });
});
afterAll(async () => {
  await Promise.all([secret?.close(), cdn?.close(), upstream?.close()]);
});

const cacheRepo = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  repo_type: 'cache',
  format: 'raw',
  store: 'default',
  upstream_url: upstream.url,
  ...extra,
});

async function artifactPaths(client: ApiClient, repo: string): Promise<string[]> {
  const res = await client.get<{ artifacts: { path: string }[] }>(`/api/v1/repositories/${repo}/artifacts`);
  expect(res.status).toBe(200);
  return res.body.artifacts.map((a) => a.path);
}

async function getArtifact(depot: DepotProcess, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${depot.url}/repository/${path}`, { headers: { authorization: api(depot).authorization } });
  return { status: res.status, text: await res.text() };
}

describe('cache upstream redirects', () => {
  const depot = useDepot();
  const { client } = depot;

  beforeAll(async () => {
    expect((await client.post('/api/v1/repositories', cacheRepo('redir'))).status).toBe(201);
    const cdnRepo = cacheRepo('redir-cdn', {
      upstream_auth: { username: 'mirror', password: 'upstream-pw' },
      upstream_redirect_hosts: [`127.0.0.1:${cdn.port}`],
    });
    const created = await client.post('/api/v1/repositories', cdnRepo);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it('refuses a redirect to another port: 502 UPSTREAM_ERROR, nothing fetched there, nothing cached, logged', async () => {
    const res = await fetch(`${depot.url}/repository/redir/to-other-port`, {
      headers: { authorization: client.authorization },
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as ErrorBody).error.code).toBe('UPSTREAM_ERROR');
    expect(secret.seen).toEqual([]);
    expect(await artifactPaths(client, 'redir')).not.toContain('to-other-port');
    const refusal = depot
      .logs()
      .split('\n')
      .find((line) => line.includes('refusing upstream redirect'));
    expect(refusal).toContain('"repo":"redir"');
    // The server still serves.
    expect((await client.get('/api/v1/health')).status).toBe(200);
  });

  it('follows a redirect on the same host and port', async () => {
    expect(await getArtifact(depot, 'redir/to-same-host')).toEqual({ status: 200, text: 'same-host-file' });
  });

  it('stops a redirect loop after 5 redirects with 502 UPSTREAM_ERROR', async () => {
    const before = upstream.seen.length;
    const res = await getArtifact(depot, 'redir/loop/0');
    expect(res.status).toBe(502);
    expect((JSON.parse(res.text) as ErrorBody).error.code).toBe('UPSTREAM_ERROR');
    expect(upstream.seen.length - before).toBe(6); // the request and 5 redirects
    expect(await artifactPaths(client, 'redir')).not.toContain('loop/0');
  });

  it('follows a redirect to a listed host without sending it the upstream credentials', async () => {
    expect(await getArtifact(depot, 'redir-cdn/to-cdn')).toEqual({ status: 200, text: 'from-the-cdn' });
    const toUpstream = upstream.seen.filter((s) => s.path === '/to-cdn');
    expect(toUpstream.at(-1)?.authorization).toBe(`Basic ${Buffer.from('mirror:upstream-pw').toString('base64')}`);
    expect(cdn.seen.length).toBeGreaterThan(0);
    for (const s of cdn.seen) expect(s.authorization).toBeUndefined();
    // The same host is still refused for a repository that does not list it.
    expect((await getArtifact(depot, 'redir/to-cdn')).status).toBe(502);
  });

  it('validates upstream_redirect_hosts', async () => {
    for (const bad of [
      'http://cdn.example.com',
      'cdn.example.com/path',
      'user@cdn.example.com',
      '*.',
      '*.com:80',
      '',
    ]) {
      const res = await client.post<ErrorBody>(
        '/api/v1/repositories',
        cacheRepo('redir-bad', { upstream_redirect_hosts: [bad] }),
      );
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    const hosted = { name: 'redir-hosted', repo_type: 'hosted', format: 'raw', store: 'default' };
    const res = await client.post<ErrorBody>('/api/v1/repositories', {
      ...hosted,
      upstream_redirect_hosts: ['cdn.example.com'],
    });
    expect(res.status).toBe(400);
    const ok = await client.post<Repo>(
      '/api/v1/repositories',
      cacheRepo('redir-ok', {
        upstream_redirect_hosts: ['cdn.example.com', 'cdn.example.com:8443', '*.s3.example.com'],
      }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const cleared = await client.put<Repo>('/api/v1/repositories/redir-ok', { upstream_redirect_hosts: null });
    expect(cleared.body.upstream_redirect_hosts).toBeUndefined();
  });
});

/** Spellings of non-public hosts the URL parser accepts; every one must be refused by default. */
const PRIVATE_SPELLINGS = [
  'http://127.0.0.1:9/',
  'http://0x7f000001/',
  'http://2130706433/',
  'http://127.1/',
  'http://0177.0.0.1/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://localhost:9/',
  'http://LOCALHOST./',
  'http://registry.localhost/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://10.1.2.3/',
  'http://172.16.0.1/',
  'http://192.168.1.1/',
  'http://[fc00::1]/',
];
const LINK_LOCAL_SPELLINGS = [
  'http://169.254.169.254/',
  'http://0xa9fea9fe/',
  'http://[fe80::1]/',
  'http://[fd00:ec2::254]/',
  'http://[::ffff:169.254.169.254]/',
];

describe('private upstreams (product default: refused)', () => {
  const depot = useDepot({ privateUpstreams: false });
  const { client } = depot;
  afterAll(async () => {});

  const create = (name: string, url: string) =>
    client.post<ErrorBody & Repo>('/api/v1/repositories', cacheRepo(name, { upstream_url: url }));

  it('refuses every loopback, private, unspecified and link-local spelling with 400', async () => {
    for (const [i, url] of [...PRIVATE_SPELLINGS, ...LINK_LOCAL_SPELLINGS].entries()) {
      const res = await create(`priv-${i}`, url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe('BAD_REQUEST');
    }
    expect((await client.get<Repo[]>('/api/v1/repositories')).body.map((r) => r.name)).toEqual([]);
    // An update to a private URL is refused too.
    expect((await create('pub', 'https://registry.example.com/')).status).toBe(201);
    const put = await client.put<ErrorBody>('/api/v1/repositories/pub', { upstream_url: 'http://127.1/' });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe('BAD_REQUEST');
  });

  it('allows private upstreams once the setting is on, link-local ones only with their own setting', async () => {
    const on = await client.patch('/api/v1/settings', { allow_private_upstreams: true });
    expect(on.status).toBe(200);
    for (const [i, url] of PRIVATE_SPELLINGS.entries()) {
      const res = await create(`ok-${i}`, url);
      expect(res.status, `${url} ${JSON.stringify(res.body)}`).toBe(201);
    }
    for (const [i, url] of LINK_LOCAL_SPELLINGS.entries()) {
      const res = await create(`ll-${i}`, url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    expect((await client.patch('/api/v1/settings', { allow_link_local_upstreams: true })).status).toBe(200);
    expect((await create('ll-ok', LINK_LOCAL_SPELLINGS[0] as string)).status).toBe(201);
  });

  it('refuses to fetch from a private upstream once the setting is turned off again', async () => {
    expect((await create('live', upstream.url)).status).toBe(201);
    expect(await getArtifact(depot, 'live/file.txt')).toEqual({ status: 200, text: 'same-host-file' });
    await client.patch('/api/v1/settings', { allow_private_upstreams: false, allow_link_local_upstreams: false });
    const before = upstream.seen.length;
    const res = await getArtifact(depot, 'live/other.txt');
    expect(res.status).toBe(502);
    expect((JSON.parse(res.text) as ErrorBody).error.code).toBe('UPSTREAM_ERROR');
    expect(upstream.seen.length).toBe(before);
  });
});

describe('credentials in upstream_url', () => {
  const reader = ['reader', 'reader-password-1'] as const;
  const depot = useDepot();
  const { client } = depot;

  beforeAll(async () => {
    const role = await client.post('/api/v1/roles', {
      name: 'readers',
      capabilities: [{ capability: 'read', repo: '*' }],
    });
    expect(role.status).toBe(201);
    const user = await client.post('/api/v1/users', { username: reader[0], password: reader[1], roles: ['readers'] });
    expect(user.status).toBe(201);
  });

  it('moves userinfo into upstream_auth and never returns the password', async () => {
    const url = `http://mirror:s3cr%40t-pw@127.0.0.1:${upstream.port}/`;
    const created = await client.post<Repo>('/api/v1/repositories', cacheRepo('creds', { upstream_url: url }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.upstream_url).toBe(`${upstream.url}/`);
    expect(created.body.upstream_auth).toEqual({ username: 'mirror', password: '********' });

    // The moved credentials are the ones sent upstream.
    expect(await getArtifact(depot, 'creds/file.txt')).toEqual({ status: 200, text: 'same-host-file' });
    const sent = upstream.seen.filter((s) => s.path === '/file.txt').at(-1);
    expect(sent?.authorization).toBe(`Basic ${Buffer.from('mirror:s3cr@t-pw').toString('base64')}`);

    for (const path of ['/api/v1/repositories', '/api/v1/repositories/creds']) {
      const asAdmin = await client.get(path);
      expect(JSON.stringify(asAdmin.body)).not.toMatch(/s3cr/);
      const asReader = await client.get<Repo | Repo[]>(path, { as: reader });
      expect(asReader.status).toBe(200);
      const text = JSON.stringify(asReader.body);
      expect(text).toContain('creds');
      expect(text).not.toMatch(/s3cr|mirror|upstream_auth/);
    }
    expect(depot.logs()).not.toMatch(/s3cr/);
  });

  it('refuses userinfo in upstream_url together with upstream_auth', async () => {
    const res = await client.post<ErrorBody>(
      '/api/v1/repositories',
      cacheRepo('creds-both', {
        upstream_url: `http://a:b@127.0.0.1:${upstream.port}/`,
        upstream_auth: { username: 'c', password: 'd' },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect((await client.get('/api/v1/repositories/creds-both')).status).toBe(404);
  });

  it('moves userinfo sent on update', async () => {
    expect((await client.post('/api/v1/repositories', cacheRepo('creds-upd'))).status).toBe(201);
    const updated = await client.put<Repo>('/api/v1/repositories/creds-upd', {
      upstream_url: `http://u2:p2-secret@127.0.0.1:${upstream.port}/`,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.upstream_url).toBe(`${upstream.url}/`);
    expect(updated.body.upstream_auth).toEqual({ username: 'u2', password: '********' });
  });
});
