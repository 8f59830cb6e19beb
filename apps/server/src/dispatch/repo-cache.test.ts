import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api, type DepotProcess, startDepot } from '../../test/helpers/depot-process.js';

// The dispatcher and engine hold repository and artifact records in memory for a few seconds;
// every change made through this process must still show on the very next request.
let depot: DepotProcess;
let client: ApiClient;

beforeAll(async () => {
  depot = await startDepot();
  client = api(depot);
});
afterAll(async () => {
  await depot?.stop();
});

const artifact = (repo: string, path: string, init: RequestInit = {}) =>
  fetch(`${depot.url}/repository/${repo}/${path}`, {
    ...init,
    headers: { authorization: client.authorization, ...init.headers },
  });
const createRaw = (name: string) =>
  client.post('/api/v1/repositories', { name, repo_type: 'hosted', format: 'raw', store: 'default' });

describe('repository and artifact record caches', () => {
  it('serves a repository update on the next request', async () => {
    expect((await createRaw('rc-upd')).status).toBe(201);
    expect((await artifact('rc-upd', 'a.txt', { method: 'PUT', body: 'a' })).status).toBe(201);
    const before = await artifact('rc-upd', 'a.txt');
    expect(before.headers.get('content-disposition')).toMatch(/^attachment/);
    const updated = await client.put('/api/v1/repositories/rc-upd', { content_disposition: 'inline' });
    expect(updated.status).toBe(200);
    const after = await artifact('rc-upd', 'a.txt');
    expect(after.headers.get('content-disposition')).toMatch(/^inline/);
    expect(await after.text()).toBe('a');
  });

  it('answers 404 right after the repository is deleted', async () => {
    expect((await createRaw('rc-del')).status).toBe(201);
    expect((await artifact('rc-del', 'a.txt', { method: 'PUT', body: 'a' })).status).toBe(201);
    expect((await artifact('rc-del', 'a.txt')).status).toBe(200);
    expect((await client.delete('/api/v1/repositories/rc-del')).status).toBe(204);
    expect((await artifact('rc-del', 'a.txt')).status).toBe(404);
  });

  it('serves new bytes and headers after an overwrite, and 404 after a delete', async () => {
    expect((await createRaw('rc-art')).status).toBe(201);
    const put = (body: string, type: string) =>
      artifact('rc-art', 'f.bin', { method: 'PUT', body, headers: { 'content-type': type } });
    expect((await put('first', 'text/plain')).status).toBe(201);
    const first = await artifact('rc-art', 'f.bin');
    expect(await first.text()).toBe('first');
    expect([200, 201]).toContain((await put('second!', 'application/x-second')).status);
    const second = await artifact('rc-art', 'f.bin');
    expect(second.headers.get('content-type')).toBe('application/x-second');
    expect(second.headers.get('content-length')).toBe('7');
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(await second.text()).toBe('second!');
    expect((await artifact('rc-art', 'f.bin', { method: 'DELETE' })).status).toBe(204);
    expect((await artifact('rc-art', 'f.bin')).status).toBe(404);
  });
});
