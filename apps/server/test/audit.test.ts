import { describe, expect, it } from 'vitest';
import { basicAuth } from './helpers/api.js';
import { useDepot } from './helpers/use-depot.js';

// The audit log on a real server: writes, deletes, changes, logins (failed ones too) and token use
// are recorded with who, what, where from and how it ended; administrators query and export them.
interface Event {
  at: string;
  actor: string;
  action: string;
  target: string;
  repo?: string;
  ip?: string;
  outcome: number;
  request_id?: string;
}

describe('audit log', () => {
  const depot = useDepot({
    toml: `
[[initialization.repositories]]
name = "raw-a"
repo_type = "hosted"
format = "raw"
store = "default"

[[initialization.users]]
username = "reader"
password = "reader-password-1"
roles = []
must_change_password = false
`,
  });
  const { client } = depot;
  const events = async (query = ''): Promise<{ events: Event[]; next_cursor: string | null }> => {
    const res = await client.get<{ events: Event[]; next_cursor: string | null }>(`/api/v1/audit${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('records writes and deletes on the artifact surface with actor, repository, address and status', async () => {
    const since = new Date().toISOString();
    const auth = { authorization: client.authorization };
    expect(
      (await fetch(`${depot.url}/repository/raw-a/x/one.txt`, { method: 'PUT', body: '1', headers: auth })).status,
    ).toBe(201);
    expect((await fetch(`${depot.url}/repository/raw-a/x/one.txt`, { method: 'DELETE', headers: auth })).status).toBe(
      204,
    );
    expect((await fetch(`${depot.url}/repository/raw-a/x/one.txt`, { headers: auth })).status).toBe(404);
    const { events: seen } = await events(`?since=${since}&repo=raw-a`);
    expect(seen.map((e) => [e.actor, e.action, e.target, e.outcome])).toEqual([
      ['admin', 'PUT', '/repository/raw-a/x/one.txt', 201],
      ['admin', 'DELETE', '/repository/raw-a/x/one.txt', 204],
    ]);
    expect(seen[0]?.ip).toMatch(/127\.0\.0\.1/);
    expect(seen[0]?.request_id).toEqual(expect.any(String));
  });

  it('records failed logins (Basic and the login endpoint), logins, repository changes and token creation and use', async () => {
    const since = new Date().toISOString();
    const wrong = await fetch(`${depot.url}/repository/raw-a/x`, {
      headers: { authorization: basicAuth('mallory', 'guess') },
    });
    expect(wrong.status).toBe(401);
    const badLogin = await client.post(
      '/api/v1/auth/login',
      { username: 'reader', password: 'nope' },
      { anonymous: true },
    );
    expect(badLogin.status).toBe(401);
    const login = await client.post(
      '/api/v1/auth/login',
      { username: 'reader', password: 'reader-password-1' },
      { anonymous: true },
    );
    expect(login.status).toBe(200);
    expect((await client.put('/api/v1/repositories/raw-a', { write_policy: 'allow_once' })).status).toBe(200);
    const made = await client.post<{ token: string; id: string }>('/api/v1/tokens', {
      name: 'audit',
      grants: [{ capability: 'read', repo: 'raw-a' }],
    });
    expect(made.status).toBe(201);
    await fetch(`${depot.url}/repository/raw-a/`, { headers: { authorization: `Bearer ${made.body.token}` } });
    const { events: seen } = await events(`?since=${since}`);
    const summary = seen.map((e) => `${e.actor} ${e.action} ${e.target} ${e.outcome}`);
    expect(summary).toEqual([
      'mallory login.failed /repository/raw-a/x 401',
      'reader POST /api/v1/auth/login 401',
      'reader POST /api/v1/auth/login 200',
      'admin PUT /api/v1/repositories/raw-a 200',
      'admin POST /api/v1/tokens 201',
      `admin token.used /api/v1/tokens/${made.body.id} 200`,
    ]);
    expect(seen[3]?.repo).toBe('raw-a');
  });

  it('filters by actor and action, pages with a cursor, and exports JSON lines', async () => {
    const failed = await events('?action=login.failed');
    expect(failed.events.every((e) => e.action === 'login.failed')).toBe(true);
    expect(failed.events.length).toBeGreaterThan(0);
    const readerOnly = await events('?actor=reader');
    expect(readerOnly.events.length).toBe(2);
    const first = await events('?limit=1');
    expect(first.events).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await events(`?limit=1&cursor=${first.next_cursor}`);
    expect((second.events[0]?.at ?? '') >= (first.events[0]?.at ?? '')).toBe(true);
    expect(second.events[0]).not.toEqual(first.events[0]);
    const all = await events('?limit=1000');
    const exported = await fetch(`${depot.url}/api/v1/audit/export`, {
      headers: { authorization: client.authorization },
    });
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await exported.text()).trim().split('\n');
    // The export's own request is not an event (a read), and nothing else ran in between.
    expect(lines.map((l) => JSON.parse(l) as Event)).toEqual(all.events);
    expect((await client.get('/api/v1/audit?until=2000-01-01T00:00:00Z')).body).toEqual({
      events: [],
      next_cursor: null,
    });
    expect((await client.get('/api/v1/audit?since=yesterday')).status).toBe(400);
  });

  it('is for administrators only', async () => {
    expect((await client.get('/api/v1/audit', { anonymous: true })).status).toBe(401);
    expect((await client.get('/api/v1/audit', { as: ['reader', 'reader-password-1'] })).status).toBe(403);
    expect((await client.get('/api/v1/audit/export', { as: ['reader', 'reader-password-1'] })).status).toBe(403);
  });

  it('records nothing while the audit_log setting is off', async () => {
    expect((await client.patch('/api/v1/settings', { audit_log: false })).status).toBe(200);
    const since = new Date().toISOString();
    const auth = { authorization: client.authorization };
    expect(
      (await fetch(`${depot.url}/repository/raw-a/quiet.txt`, { method: 'PUT', body: 'q', headers: auth })).status,
    ).toBe(201);
    expect((await events(`?since=${since}&repo=raw-a`)).events).toEqual([]);
    expect((await client.patch('/api/v1/settings', { audit_log: true })).status).toBe(200);
  });
});
