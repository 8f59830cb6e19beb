import { describe, expect, it } from 'vitest';
import { api, basicAuth } from './helpers/depot-process.js';
import { useDepot } from './helpers/use-depot.js';

// The admin password generated on the first start is flagged for change: until it is changed, it
// only logs in and changes the password (docs/auth.md).

const depot = useDepot({ generatedAdminPassword: true });

describe('must_change_password', () => {
  it('refuses everything but login and the password change until the generated password is changed', async () => {
    const admin = api(depot);
    const refused = await admin.get<{ error: { code: string } }>('/api/v1/repositories');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const artifact = await fetch(`${depot.url}/repository/raw/x.txt`, {
      method: 'PUT',
      body: 'x',
      headers: { authorization: admin.authorization },
    });
    expect(artifact.status).toBe(403);
    const docker = await fetch(`${depot.url}/v2/`, { headers: { authorization: admin.authorization } });
    expect(docker.status).toBe(403);

    expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
    const login = await admin.post<{ must_change_password: boolean }>(
      '/api/v1/auth/login',
      { username: 'admin', password: depot.adminPassword },
      { anonymous: true },
    );
    expect([login.status, login.body.must_change_password]).toEqual([200, true]);

    const changed = await admin.post('/api/v1/auth/change-password', {
      username: 'admin',
      current_password: depot.adminPassword,
      new_password: 'a-new-admin-password',
    });
    expect(changed.status).toBe(200);
    const after = await fetch(`${depot.url}/api/v1/repositories`, {
      headers: { authorization: basicAuth('admin', 'a-new-admin-password') },
    });
    expect(after.status).toBe(200);
  });
});
