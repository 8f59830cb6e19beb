import { beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from './helpers/depot-process.js';
import { useDepot } from './helpers/use-depot.js';

// Failed logins are throttled by default, per user and per client, whatever `rate_limit` says; an
// attempt over the limit is 429 with Retry-After and its password is not checked.

const PASSWORD = 'correct-horse-battery';

const depot = useDepot();
const { client: admin } = depot;

beforeAll(async () => {
  for (const username of ['victim', 'bystander', 'third']) {
    expect((await admin.post('/api/v1/users', { username, password: PASSWORD, roles: [] })).status).toBe(201);
  }
});

const tryBasic = (user: string, password: string): Promise<Response> =>
  fetch(`${depot.url}/api/v1/repositories`, { headers: { authorization: basicAuth(user, password) } });

describe('login throttling (on by default)', () => {
  it('cuts 100 parallel wrong passwords for one user at the per-user limit, then refuses the right one too', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => tryBasic('victim', `wrong-${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBe(10);
    expect(statuses.filter((s) => s === 429).length).toBe(90);
    const limited = answers.find((r) => r.status === 429);
    if (limited === undefined) throw new Error('no 429 among the answers');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');

    // Locked: the right password is not even checked, on Basic and on the login route alike.
    expect((await tryBasic('victim', PASSWORD)).status).toBe(429);
    const login = await admin.post(
      '/api/v1/auth/login',
      { username: 'victim', password: PASSWORD },
      { anonymous: true },
    );
    expect(login.status).toBe(429);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);

    // Another user from the same client is under the per-client limit and unaffected.
    expect((await tryBasic('bystander', PASSWORD)).status).toBe(200);
  });

  it('limits failures per client across usernames, and lets users back in once the window passes', async () => {
    const patched = await admin.patch('/api/v1/settings', {
      login_throttle: { max_failures_per_user: 100, max_failures_per_client: 5, window_secs: 2 },
    });
    expect(patched.status).toBe(200);
    await new Promise((r) => setTimeout(r, 2100));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await tryBasic(`nobody-${i}`, 'wrong')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect((await tryBasic('third', PASSWORD)).status).toBe(429);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await tryBasic('third', PASSWORD)).status).toBe(200);
    expect((await tryBasic('victim', PASSWORD)).status).toBe(200);
  });

  it('turns off with zero limits', async () => {
    await admin.patch('/api/v1/settings', {
      login_throttle: { max_failures_per_user: 0, max_failures_per_client: 0, window_secs: 60 },
    });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => tryBasic('victim', 'wrong').then((r) => r.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([401]));
  });
});

describe('rate_limit', () => {
  it('answers 429 with Retry-After when a client exceeds it', async () => {
    await admin.patch('/api/v1/settings', { rate_limit: { requests_per_second: 1, burst_size: 3 } });
    const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(`${depot.url}/api/v1/health`)));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const artifact = await fetch(`${depot.url}/repository/nope/x.txt`);
    expect(artifact.status).toBe(429);
    expect(artifact.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
