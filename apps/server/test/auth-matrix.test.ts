import type { RepoAction } from '@depot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_POLICIES } from '../src/http/guards.js';
import { basic } from './fixtures/auth/harness.js';
import { inProcessDepot } from './helpers/in-process.js';

/**
 * The RBAC matrix (api.md "Where Depot deliberately differs" #2, RELIABILITY §1.4 BOLA): every route
 * hono knows, plus the /repository and format-mount surfaces, × five principals. A route without a
 * rule below fails the test, so a new route cannot ship unchecked.
 */
type Rule =
  | { readonly kind: 'any' | 'authenticated' | 'admin' | 'admin-or-self' | 'signed-in' }
  | { readonly kind: 'repo'; readonly action: RepoAction };

const AUTH_RULES: Readonly<Record<string, Rule>> = {
  'POST /api/v1/auth/login': { kind: 'any' },
  'POST /api/v1/auth/change-password': { kind: 'any' },
  'POST /api/v1/auth/revoke-all': { kind: 'admin' },
  'GET /api/v1/users': { kind: 'admin' },
  'POST /api/v1/users': { kind: 'admin' },
  'GET /api/v1/users/{username}': { kind: 'admin' },
  'PUT /api/v1/users/{username}': { kind: 'admin' },
  'DELETE /api/v1/users/{username}': { kind: 'admin' },
  'POST /api/v1/users/{username}/revoke-tokens': { kind: 'admin-or-self' },
  'GET /api/v1/roles': { kind: 'admin' },
  'POST /api/v1/roles': { kind: 'admin' },
  'GET /api/v1/roles/{name}': { kind: 'admin' },
  'PUT /api/v1/roles/{name}': { kind: 'admin' },
  'DELETE /api/v1/roles/{name}': { kind: 'admin' },
  // Creating a token needs a password or login token: an API token cannot mint another.
  'POST /api/v1/tokens': { kind: 'signed-in' },
  'GET /api/v1/tokens': { kind: 'authenticated' },
  'DELETE /api/v1/tokens/{id}': { kind: 'authenticated' },
  'GET /api/v1/settings/ldap': { kind: 'admin' },
  'PUT /api/v1/settings/ldap': { kind: 'admin' },
  'DELETE /api/v1/settings/ldap': { kind: 'admin' },
  // Public in this server (the prototype required a login, inventory §1.3): a decision for the lead.
  'GET /api-docs/openapi.json': { kind: 'any' },
  'GET /swagger-ui': { kind: 'any' },
  'GET /swagger-ui/': { kind: 'any' },
};

/** The artifact surfaces hono does not see (served by the node:http dispatcher). */
const SURFACE_RULES: readonly { readonly method: string; readonly path: string; readonly rule: Rule }[] = [
  { method: 'GET', path: '/repository/{repo}/matrix/file.txt', rule: { kind: 'repo', action: 'read' } },
  { method: 'HEAD', path: '/repository/{repo}/matrix/file.txt', rule: { kind: 'repo', action: 'read' } },
  { method: 'PUT', path: '/repository/{repo}/matrix/file.txt', rule: { kind: 'repo', action: 'write' } },
  { method: 'DELETE', path: '/repository/{repo}/matrix/gone.txt', rule: { kind: 'repo', action: 'delete' } },
  { method: 'GET', path: '/v2/{docker}/img/manifests/latest', rule: { kind: 'repo', action: 'read' } },
  { method: 'POST', path: '/v2/{docker}/img/blobs/uploads/', rule: { kind: 'repo', action: 'write' } },
];

const ruleFor = (key: string): Rule | undefined => {
  const policy = ROUTE_POLICIES[key];
  if (policy !== undefined)
    return policy.kind === 'repo' ? { kind: 'repo', action: policy.action } : { kind: policy.kind };
  return AUTH_RULES[key];
};

interface Who {
  readonly name: string;
  readonly auth: string | null;
  readonly admin: boolean;
  readonly grants: readonly RepoAction[];
  /** An API token: the repositories its grants name (within the owner's `team-*`). */
  readonly token?: { readonly owner: string; readonly repos: readonly string[] };
}
const PASSWORD = 'matrix-password';
const WHO: readonly Who[] = [
  { name: 'anonymous', auth: null, admin: false, grants: [] },
  { name: 'reader', auth: basic('reader', PASSWORD), admin: false, grants: ['read'] },
  { name: 'writer', auth: basic('writer', PASSWORD), admin: false, grants: ['read', 'write'] },
  { name: 'deleter', auth: basic('deleter', PASSWORD), admin: false, grants: ['read', 'write', 'delete'] },
];

const allowed = (rule: Rule, who: Who, repo: string, username: string): boolean => {
  switch (rule.kind) {
    case 'any':
      return true;
    case 'authenticated':
      return who.auth !== null;
    case 'signed-in':
      return who.auth !== null && who.token === undefined;
    case 'admin':
      return who.admin;
    case 'admin-or-self':
      return who.admin || (who.auth !== null && (who.token?.owner ?? who.name) === username);
    case 'repo':
      if (who.token !== undefined && !who.token.repos.includes(repo)) return false;
      return who.admin || (repo.startsWith('team-') && who.grants.includes(rule.action));
  }
};

let base = '';
let close: () => Promise<void> = async () => {};
let routeKeys: string[] = [];
let adminAuth = '';
const tokenWho: Who[] = [];

async function send(method: string, path: string, auth: string | null): Promise<number> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers.authorization = auth;
  let body: string | undefined;
  if (['POST', 'PUT', 'PATCH'].includes(method)) {
    const raw = path.startsWith('/repository/') || path.startsWith('/v2/');
    headers['content-type'] = raw ? 'application/octet-stream' : 'application/json';
    body = raw ? 'matrix' : '{}';
  }
  const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body }) });
  // An event stream never ends: its status is all a cell needs.
  if (res.headers.get('content-type')?.includes('text/event-stream')) await res.body?.cancel();
  else await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  adminAuth = basic('admin', PASSWORD);
  const depot = await inProcessDepot({ adminPassword: PASSWORD });
  const { app } = depot;
  base = await depot.listen();
  close = () => depot.close();
  routeKeys = [
    ...new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    ),
  ];
  const call = (method: string, path: string, body: unknown) =>
    fetch(base + path, {
      method,
      headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const grants = (actions: RepoAction[]) => actions.map((capability) => ({ capability, repo: 'team-*' }));
  for (const who of WHO.slice(1)) {
    expect(
      (await call('POST', '/api/v1/roles', { name: `${who.name}-role`, capabilities: grants([...who.grants]) })).status,
    ).toBe(201);
    expect(
      (await call('POST', '/api/v1/users', { username: who.name, password: PASSWORD, roles: [`${who.name}-role`] }))
        .status,
    ).toBe(201);
  }
  for (const [name, format] of [
    ['team-raw', 'raw'],
    ['other-raw', 'raw'],
    ['team-docker', 'docker'],
    ['other-docker', 'docker'],
  ]) {
    expect(
      (await call('POST', '/api/v1/repositories', { name, repo_type: 'hosted', format, store: 'default' })).status,
    ).toBe(201);
  }
  for (const repo of ['team-raw', 'other-raw']) {
    for (const file of ['file.txt', 'gone.txt']) {
      const put = await fetch(`${base}/repository/${repo}/matrix/${file}`, {
        method: 'PUT',
        headers: { authorization: adminAuth },
        body: 'x',
      });
      expect(put.status).toBe(201);
    }
  }
  // API tokens join the matrix: scoped to one repository of the owner's, acting as the owner.
  const mint = async (owner: string, actions: RepoAction[], repo: string): Promise<string> => {
    const res = await fetch(`${base}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: basic(owner, PASSWORD), 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${owner}-${repo}`, grants: actions.map((capability) => ({ capability, repo })) }),
    });
    expect(res.status).toBe(201);
    return `Bearer ${((await res.json()) as { token: string }).token}`;
  };
  tokenWho.push(
    {
      name: 'deleter-token',
      auth: await mint('deleter', ['read', 'write'], 'team-raw'),
      admin: false,
      grants: ['read', 'write'],
      token: { owner: 'deleter', repos: ['team-raw'] },
    },
    {
      name: 'admin-token',
      auth: await mint('admin', ['read'], 'team-docker'),
      admin: false,
      grants: ['read'],
      token: { owner: 'admin', repos: ['team-docker'] },
    },
  );
  await call('POST', '/api/v1/users', { username: 'victim', password: PASSWORD });
  await call('POST', '/api/v1/roles', { name: 'victim-role' });
});
afterAll(async () => {
  await close();
});

/** Concrete paths for a route key: repo routes run inside and outside the principals' glob. */
function instances(path: string): { path: string; repo: string; username: string }[] {
  if (path.includes('{repo}') || path.includes('{docker}') || /repositories\/\{name\}/.test(path)) {
    return ['team', 'other'].map((prefix) => {
      const repo = path.includes('{docker}') ? `${prefix}-docker` : `${prefix}-raw`;
      return {
        path: path.replace('{repo}', repo).replace('{docker}', repo).replace('{name}', repo),
        repo,
        username: '',
      };
    });
  }
  const concrete = path
    .replace('/users/{username}', '/users/victim')
    .replace('/roles/{name}', '/roles/victim-role')
    .replace('/stores/{name}', '/stores/default')
    .replace(/\{id\}/g, '00000000-0000-0000-0000-000000000000');
  return [{ path: concrete, repo: '', username: 'victim' }];
}

describe('RBAC matrix', () => {
  it('has a rule for every route the router serves', () => {
    expect(routeKeys.length).toBeGreaterThan(20);
    const missing = routeKeys.filter((k) => ruleFor(k) === undefined);
    expect(missing).toEqual([]);
  });

  it('every principal gets exactly the access its rule grants on every route', async () => {
    const failures: string[] = [];
    const cells = [
      ...routeKeys.map((k) => ({
        method: k.slice(0, k.indexOf(' ')),
        path: k.slice(k.indexOf(' ') + 1),
        rule: ruleFor(k),
      })),
      ...SURFACE_RULES,
    ];
    // Deletions last, so they do not remove what other cells need.
    cells.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    let count = 0;
    for (const who of [...WHO, ...tokenWho, { name: 'admin', auth: adminAuth, admin: true, grants: [] } as Who]) {
      for (const cell of cells) {
        if (cell.rule === undefined) continue;
        if (who.admin && cell.method === 'POST' && cell.path === '/api/v1/auth/revoke-all') continue;
        for (const inst of instances(cell.path)) {
          const status = await send(cell.method, inst.path, who.auth);
          const ok = allowed(cell.rule, who, inst.repo, inst.username);
          const expected = ok ? 'allowed' : who.auth === null ? 401 : 403;
          const good = ok ? status !== 401 && status !== 403 && status < 500 : status === expected;
          count++;
          if (!good) failures.push(`${who.name} ${cell.method} ${inst.path}: expected ${expected}, got ${status}`);
        }
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
