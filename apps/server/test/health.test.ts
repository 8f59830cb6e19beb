import { describe, expect, it } from 'vitest';
import { ROUTE_POLICIES } from '../src/http/guards.js';
import { useDepot } from './helpers/use-depot.js';

const depot = useDepot();
const { client } = depot;

describe('health and cross-cutting HTTP behaviour', () => {
  it('answers health with status and version, anonymously', async () => {
    const res = await client.get<{ status: string; version: string }>('/api/v1/health', { anonymous: true });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('mints an x-request-id, or echoes the one sent', async () => {
    const minted = await fetch(`${depot.url}/api/v1/health`);
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${depot.url}/api/v1/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const artifact = await fetch(`${depot.url}/repository/nope/x`, { headers: { 'x-request-id': 'art-1' } });
    expect(artifact.headers.get('x-request-id')).toBe('art-1');
  });

  it('answers an unknown route with 404 JSON and a wrong method with 405 JSON', async () => {
    const missing = await client.get<{ error: { code: string } }>('/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const wrong = await client.request<{ error: { code: string } }>('PATCH', '/api/v1/health');
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toContain('GET');
    expect((await client.get('/api/v1/health')).status).toBe(200);
  });

  it('serves Prometheus metrics on the main listener', async () => {
    await fetch(`${depot.url}/api/v1/health`);
    const res = await fetch(`${depot.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('depot_http_requests_total{surface="api",method="GET",status="200"}');
    expect(text).toContain('depot_process_cpu_seconds_total');
  });

  it('serves an OpenAPI document listing every admin route, and a docs page', async () => {
    const res = await client.get<{ paths: Record<string, Record<string, unknown>> }>('/api-docs/openapi.json');
    expect(res.status).toBe(200);
    for (const key of Object.keys(ROUTE_POLICIES)) {
      const [method, path] = key.split(' ') as [string, string];
      expect(res.body.paths[path]?.[method.toLowerCase()], key).toBeDefined();
    }
    const ui = await fetch(`${depot.url}/swagger-ui/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('/api-docs/openapi.json');
  });
});
