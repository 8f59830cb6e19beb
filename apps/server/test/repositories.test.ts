import { describe, expect, it } from 'vitest';
import { describeEachBackend, useDepot } from './helpers/use-depot.js';

type ErrorBody = { error: { code: string; message: string } };
type Repo = Record<string, unknown> & { name: string };

const hosted = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  repo_type: 'hosted',
  format: 'raw',
  store: 'default',
  ...extra,
});

async function expectError(
  res: Promise<{ status: number; body: unknown }>,
  status: number,
  code: string,
  text?: RegExp,
) {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect((r.body as ErrorBody).error.code).toBe(code);
  if (text) expect((r.body as ErrorBody).error.message).toMatch(text);
}

describeEachBackend('repositories', (backend) => {
  const { client } = useDepot({ backend });

  describe('repositories CRUD', () => {
    it('creates, reads, lists, updates and deletes a hosted repository', async () => {
      const created = await client.post<Repo>('/api/v1/repositories', hosted('crud-a'));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'crud-a', repo_type: 'hosted', format: 'raw', store: 'default' });
      expect((await client.get<Repo>('/api/v1/repositories/crud-a')).body.name).toBe('crud-a');
      const list = await client.get<Repo[]>('/api/v1/repositories');
      expect(list.body.map((r) => r.name)).toContain('crud-a');

      const updated = await client.put<Repo>('/api/v1/repositories/crud-a', { cleanup_max_age_days: 30 });
      expect(updated.status).toBe(200);
      expect(updated.body.cleanup_max_age_days).toBe(30);
      // PUT leaves omitted fields unchanged.
      const again = await client.put<Repo>('/api/v1/repositories/crud-a', { cleanup_max_unaccessed_days: 7 });
      expect(again.body).toMatchObject({ cleanup_max_age_days: 30, cleanup_max_unaccessed_days: 7 });
      // `null` clears a field.
      const cleared = await client.put<Repo>('/api/v1/repositories/crud-a', { cleanup_max_age_days: null });
      expect(cleared.body.cleanup_max_age_days).toBeUndefined();
      expect(cleared.body.cleanup_max_unaccessed_days).toBe(7);
      await expectError(client.put('/api/v1/repositories/crud-a', { members: null }), 400, 'BAD_REQUEST');

      expect((await client.delete('/api/v1/repositories/crud-a')).status).toBe(204);
      await expectError(client.get('/api/v1/repositories/crud-a'), 404, 'NOT_FOUND');
      expect((await client.get<Repo[]>('/api/v1/repositories')).body.map((r) => r.name)).not.toContain('crud-a');
    });

    it('masks upstream passwords and keeps the old one when the mask is sent back', async () => {
      const created = await client.post<Repo>('/api/v1/repositories', {
        name: 'cache-a',
        repo_type: 'cache',
        format: 'raw',
        store: 'default',
        upstream_url: 'http://127.0.0.1:9/',
        upstream_auth: { username: 'u', password: 'secret-pw' },
      });
      expect(created.status).toBe(201);
      expect(created.body.upstream_auth).toEqual({ username: 'u', password: '********' });
      const updated = await client.put<Repo>('/api/v1/repositories/cache-a', {
        upstream_auth: { username: 'u2', password: '********' },
        cache_ttl_secs: 60,
      });
      expect(updated.status).toBe(200);
      expect(updated.body.upstream_auth).toEqual({ username: 'u2', password: '********' });
      expect(JSON.stringify(updated.body)).not.toContain('secret-pw');
    });

    it('creates a proxy over hosted and cache members', async () => {
      await client.post('/api/v1/repositories', hosted('px-h'));
      const res = await client.post<Repo>('/api/v1/repositories', {
        name: 'px-group',
        repo_type: 'proxy',
        format: 'raw',
        store: 'default',
        members: ['px-h', 'cache-a'],
        write_member: 'px-h',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      // A member of a live proxy cannot be deleted out from under it.
      await expectError(client.delete('/api/v1/repositories/px-h'), 409, 'CONFLICT');
    });
  });

  describe('repository validation', () => {
    it('rejects a duplicate name with 409', async () => {
      await client.post('/api/v1/repositories', hosted('dup'));
      await expectError(client.post('/api/v1/repositories', hosted('dup')), 409, 'CONFLICT');
    });

    it('rejects a missing store, unknown format, bad names and unknown fields with 400', async () => {
      await expectError(
        client.post('/api/v1/repositories', hosted('v1', { store: 'nope' })),
        400,
        'BAD_REQUEST',
        /store/,
      );
      await expectError(
        client.post('/api/v1/repositories', hosted('v2', { format: 'cobol' })),
        400,
        'BAD_REQUEST',
        /raw/,
      );
      await expectError(client.post('/api/v1/repositories', hosted('../x')), 400, 'BAD_REQUEST', /name/);
      await expectError(
        client.post('/api/v1/repositories', hosted('v3', { colour: 'red' })),
        400,
        'BAD_REQUEST',
        /colour/,
      );
      await expectError(client.post('/api/v1/repositories', { name: 'v4' }), 400, 'BAD_REQUEST');
      await expectError(client.post('/api/v1/repositories', hosted('v5', { repo_type: 'mirror' })), 400, 'BAD_REQUEST');
      await expectError(
        client.post('/api/v1/repositories', hosted('v6', { cleanup_max_age_days: 0 })),
        400,
        'BAD_REQUEST',
      );
    });

    it('requires upstream_url on cache and members on proxy', async () => {
      await expectError(
        client.post('/api/v1/repositories', hosted('c1', { repo_type: 'cache' })),
        400,
        'BAD_REQUEST',
        /upstream_url/,
      );
      await expectError(
        client.post('/api/v1/repositories', hosted('c2', { repo_type: 'cache', upstream_url: 'ftp://x' })),
        400,
        'BAD_REQUEST',
      );
      await expectError(
        client.post('/api/v1/repositories', hosted('p1', { repo_type: 'proxy' })),
        400,
        'BAD_REQUEST',
        /members/,
      );
      await expectError(
        client.post('/api/v1/repositories', hosted('p2', { repo_type: 'proxy', members: [] })),
        400,
        'BAD_REQUEST',
        /members/,
      );
    });

    it('checks proxy members exist, write_member is a member, and no cycles', async () => {
      await client.post('/api/v1/repositories', hosted('m-h'));
      await expectError(
        client.post('/api/v1/repositories', hosted('p3', { repo_type: 'proxy', members: ['ghost'] })),
        400,
        'BAD_REQUEST',
        /ghost/,
      );
      await expectError(
        client.post(
          '/api/v1/repositories',
          hosted('p4', { repo_type: 'proxy', members: ['m-h'], write_member: 'other' }),
        ),
        400,
        'BAD_REQUEST',
        /write_member/,
      );
      await expectError(
        client.post('/api/v1/repositories', hosted('p5', { repo_type: 'proxy', members: ['p5'] })),
        400,
        'BAD_REQUEST',
        /cycle/,
      );
      expect(
        (await client.post('/api/v1/repositories', hosted('cy-a', { repo_type: 'proxy', members: ['m-h'] }))).status,
      ).toBe(201);
      expect(
        (await client.post('/api/v1/repositories', hosted('cy-b', { repo_type: 'proxy', members: ['cy-a'] }))).status,
      ).toBe(201);
      // Closing the loop a → b → a through an update is a cycle.
      await expectError(
        client.put('/api/v1/repositories/cy-a', { members: ['m-h', 'cy-b'] }),
        400,
        'BAD_REQUEST',
        /cycle/,
      );
    });

    it('rejects proxies nested deeper than 8', async () => {
      let prev = 'm-h';
      for (let i = 0; i < 8; i++) {
        const name = `deep-${i}`;
        const res = await client.post('/api/v1/repositories', hosted(name, { repo_type: 'proxy', members: [prev] }));
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        prev = name;
      }
      await expectError(
        client.post('/api/v1/repositories', hosted('deep-8', { repo_type: 'proxy', members: [prev] })),
        400,
        'BAD_REQUEST',
        /deeper/,
      );
    });

    it('refuses to change identity fields and 404s unknown repositories', async () => {
      await client.post('/api/v1/repositories', hosted('ident'));
      await expectError(client.put('/api/v1/repositories/ident', { format: 'npm' }), 400, 'BAD_REQUEST', /format/);
      await expectError(client.put('/api/v1/repositories/nope', { cleanup_max_age_days: 3 }), 404, 'NOT_FOUND');
      await expectError(client.delete('/api/v1/repositories/nope'), 404, 'NOT_FOUND');
    });
  });
});
