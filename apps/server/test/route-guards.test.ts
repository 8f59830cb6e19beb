import { describe, expect, it } from 'vitest';
import { ROUTE_POLICIES } from '../src/http/guards.js';
import { useDepot } from './helpers/use-depot.js';

// `nobody` authenticates but holds no grant; `reader` may read `rbac-*` only.
const TOML = `
[[initialization.repositories]]
name = "rbac-repo"
repo_type = "hosted"
format = "raw"
store = "default"

[[initialization.roles]]
name = "none"
capabilities = []

[[initialization.roles]]
name = "rbac-reader"
capabilities = [{ capability = "read", repo = "rbac-*" }]

[[initialization.users]]
username = "nobody"
password = "nobody-password"
roles = ["none"]

[[initialization.users]]
username = "reader"
password = "reader-password"
roles = ["rbac-reader"]
`;

const depot = useDepot({ toml: TOML });
const { client } = depot;

const routes = Object.entries(ROUTE_POLICIES).map(([key, policy]) => {
  const [method, template] = key.split(' ') as [string, string];
  const name = template.includes('/stores/') ? 'default' : 'rbac-repo';
  return { key, method, path: template.replace('{name}', name), policy };
});
const bodyFor = (method: string) => (method === 'GET' || method === 'DELETE' ? undefined : {});

describe('route guards (every admin-API route in ROUTE_POLICIES)', () => {
  it('answers anonymous callers 401 on every guarded route', async () => {
    for (const route of routes) {
      const res = await client.request(route.method, route.path, bodyFor(route.method), { anonymous: true });
      if (route.policy.kind === 'any') expect(res.status, route.key).not.toBe(401);
      else expect(res.status, route.key).toBe(401);
    }
  });

  it('answers an authenticated caller without grants 403 on every guarded route', async () => {
    for (const route of routes) {
      const res = await client.request(route.method, route.path, bodyFor(route.method), {
        as: ['nobody', 'nobody-password'],
      });
      if (route.policy.kind === 'any') expect([401, 403], route.key).not.toContain(res.status);
      else expect(res.status, route.key).toBe(403);
    }
  });

  it('lets a reader use read routes of the repositories it matches, and nothing else', async () => {
    const as = ['reader', 'reader-password'] as const;
    expect((await client.get('/api/v1/repositories/rbac-repo', { as })).status).toBe(200);
    expect((await client.get('/api/v1/repositories/rbac-repo/artifacts', { as })).status).toBe(200);
    expect((await client.post('/api/v1/repositories/rbac-repo/bulk-delete', { prefix: '' }, { as })).status).toBe(403);
    expect((await client.delete('/api/v1/repositories/rbac-repo', { as })).status).toBe(403);
    const list = await client.get<{ name: string }[]>('/api/v1/repositories', { as });
    expect(list.body.map((r) => r.name)).toEqual(['rbac-repo']);
    // The artifact surface: read allowed, write refused.
    const put = await fetch(`${depot.url}/repository/rbac-repo/a.txt`, {
      method: 'PUT',
      body: 'x',
      headers: { authorization: `Basic ${Buffer.from('reader:reader-password').toString('base64')}` },
    });
    expect(put.status).toBe(403);
    const anonymousGet = await fetch(`${depot.url}/repository/rbac-repo/a.txt`);
    expect(anonymousGet.status).toBe(401);
    expect(anonymousGet.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});
