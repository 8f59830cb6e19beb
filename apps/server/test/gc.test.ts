import { describe, expect, it } from 'vitest';
import { useDepot } from './helpers/use-depot.js';

const depot = useDepot();
const { client } = depot;

interface GcResult {
  dry_run: boolean;
  new_candidates: number;
  reclaimable_bytes: number;
  deleted_blobs: number;
}

const put = (path: string, body: string) =>
  fetch(`${depot.url}/repository/gc-raw/${path}`, {
    method: 'PUT',
    headers: { authorization: client.authorization },
    body,
  });

describe('blob GC through the admin API', () => {
  it('reports what a pass would reclaim, runs one, then refuses another before gc_min_interval_secs', async () => {
    expect(
      (
        await client.post('/api/v1/repositories', {
          name: 'gc-raw',
          repo_type: 'hosted',
          format: 'raw',
          store: 'default',
        })
      ).status,
    ).toBe(201);
    expect((await client.patch('/api/v1/settings', { gc_blob_min_age_secs: 0 })).status).toBe(200);
    expect((await put('kept.txt', 'kept')).status).toBe(201);
    expect((await put('gone.txt', 'orphaned bytes')).status).toBe(201);
    expect((await client.delete('/repository/gc-raw/gone.txt')).status).toBeLessThan(300);

    expect((await client.post('/api/v1/tasks/gc', {}, { anonymous: true })).status).toBe(401);
    const dry = await client.post<{ status: string; result: GcResult }>('/api/v1/tasks/gc?wait=true', {
      dry_run: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.body.status).toBe('completed');
    expect(dry.body.result).toMatchObject({
      dry_run: true,
      new_candidates: 0,
      reclaimable_bytes: 'orphaned bytes'.length,
    });

    const pass = await client.post<{ result: GcResult }>('/api/v1/tasks/gc?wait=true', {});
    expect(pass.status).toBe(200);
    expect(pass.body.result).toMatchObject({ dry_run: false, new_candidates: 1, deleted_blobs: 0 });
    const again = await client.post<{ error: { code: string } }>('/api/v1/tasks/gc', {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');

    const scheduler = await client.get<{ gc_last_started_at: string; gc_last_result: GcResult }>(
      '/api/v1/tasks/scheduler',
    );
    expect(scheduler.status).toBe(200);
    expect(Date.parse(scheduler.body.gc_last_started_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(scheduler.body.gc_last_result).toMatchObject({ new_candidates: 1 });
    // The kept artifact is untouched.
    const kept = await fetch(`${depot.url}/repository/gc-raw/kept.txt`, {
      headers: { authorization: client.authorization },
    });
    expect(await kept.text()).toBe('kept');
    expect((await client.post('/api/v1/tasks/gc', { dry_run: 'yes' })).status).toBe(400);
  });
});
