import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useInProcessDepot } from './helpers/in-process.js';

type ErrorBody = { error: { code: string; message: string } };
type Store = Record<string, unknown> & { name: string; store_type: string };

// The stores and settings admin API, in-process (`app.request()`): no process start, no socket.
const depot = useInProcessDepot();
const { client } = depot;

describe('stores', () => {
  it('lists the initialization store, creates, checks, updates and deletes a file store', async () => {
    const list = await client.get<Store[]>('/api/v1/stores');
    expect(list.body.map((s) => s.name)).toContain('default');

    const root = join(depot.dataDir, 'second');
    const created = await client.post<Store>('/api/v1/stores', { name: 'second', store_type: 'file', root });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'second', store_type: 'file', root });
    expect((await client.get<Store>('/api/v1/stores/second')).body.root).toBe(root);
    expect((await client.post<{ ok: boolean }>('/api/v1/stores/second/check')).body.ok).toBe(true);

    const updated = await client.put<Store>('/api/v1/stores/second', { sync: false });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.sync).toBe(false);
    // The body GET answered goes back unchanged (timestamps included), as a UI edit form sends it.
    const roundTrip = await client.put<Store>('/api/v1/stores/second', updated.body);
    expect(roundTrip.status, JSON.stringify(roundTrip.body)).toBe(200);
    expect(roundTrip.body.created_at).toBe(created.body.created_at);
    expect(roundTrip.body).not.toHaveProperty('options');

    expect((await client.delete('/api/v1/stores/second')).status).toBe(204);
    expect((await client.get<ErrorBody>('/api/v1/stores/second')).body.error.code).toBe('NOT_FOUND');
  });

  it('rejects a store whose health check fails with 400 and saves nothing', async () => {
    const blocker = join(depot.dataDir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const res = await client.post<ErrorBody>('/api/v1/stores', {
      name: 'broken',
      store_type: 'file',
      root: join(blocker, 'x'),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect((await client.get('/api/v1/stores/broken')).status).toBe(404);
  });

  it('rejects duplicates (409), unknown types and bad options (400), and deleting a store in use (409)', async () => {
    const dup = await client.post<ErrorBody>('/api/v1/stores', {
      name: 'default',
      store_type: 'file',
      root: depot.dataDir,
    });
    expect(dup.status).toBe(409);
    const unknownType = await client.post<ErrorBody>('/api/v1/stores', {
      name: 'x1',
      store_type: 'tape',
      root: '/tmp',
    });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.error.message).toMatch(/file/);
    const badOption = await client.post<ErrorBody>('/api/v1/stores', {
      name: 'x2',
      store_type: 'file',
      root: join(depot.dataDir, 'x2'),
      io_size: 'huge',
    });
    expect(badOption.status).toBe(400);
    await client.post('/api/v1/repositories', {
      name: 'uses-default',
      repo_type: 'hosted',
      format: 'raw',
      store: 'default',
    });
    const inUse = await client.delete<ErrorBody>('/api/v1/stores/default');
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('CONFLICT');
  });
});

describe('settings', () => {
  it('returns defaults, merges on PATCH and replaces on PUT', async () => {
    const initial = await client.get<Record<string, unknown>>('/api/v1/settings');
    expect(initial.body).toMatchObject({
      max_artifact_bytes: 32 * 1024 ** 3,
      access_log: true,
      default_docker_repo: null,
    });

    const patched = await client.patch<Record<string, unknown>>('/api/v1/settings', {
      default_docker_repo: 'docker-hosted',
    });
    expect(patched.status).toBe(200);
    const patched2 = await client.patch<Record<string, unknown>>('/api/v1/settings', { max_artifact_bytes: 1024 });
    expect(patched2.body).toMatchObject({ default_docker_repo: 'docker-hosted', max_artifact_bytes: 1024 });

    const replaced = await client.put<Record<string, unknown>>('/api/v1/settings', { access_log: false });
    expect(replaced.body).toMatchObject({
      access_log: false,
      default_docker_repo: null,
      max_artifact_bytes: 32 * 1024 ** 3,
    });
    expect((await client.get<Record<string, unknown>>('/api/v1/settings')).body.access_log).toBe(false);
  });

  it('validates settings and names the field', async () => {
    for (const bad of [
      { max_artifact_bytes: -1 },
      { max_artifact_bytes: 'big' },
      { default_docker_repo: '../etc' },
      { gc_min_interval_secs: 10 },
      { jwt_expiry_secs: 100_000, jwt_rotation_interval_secs: 3600 },
      { no_such_setting: 1 },
    ]) {
      const res = await client.patch<ErrorBody>('/api/v1/settings', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.message).toContain(Object.keys(bad).at(-1));
    }
    expect((await client.get('/api/v1/health')).status).toBe(200);
  });
});
