import { beforeAll, describe, expect, it } from 'vitest';
import { useDepot } from './helpers/use-depot.js';

// Small findings of an adversarial test: bidi names, sniffable uploads, loose number parsing.

const depot = useDepot();
const { client: admin } = depot;

beforeAll(async () => {
  for (const [name, format] of [
    ['files', 'raw'],
    ['images', 'docker'],
    ['packages', 'npm'],
  ] as const) {
    const created = await admin.post('/api/v1/repositories', { name, repo_type: 'hosted', format, store: 'default' });
    expect(created.status).toBe(201);
  }
});

const put = (path: string, body: string): Promise<Response> =>
  fetch(`${depot.url}/repository/files/${path}`, {
    method: 'PUT',
    body,
    headers: { authorization: admin.authorization },
  });

describe('hardening', () => {
  it('refuses names with bidirectional or C1 control characters, storing nothing; unicode names work', async () => {
    for (const name of ['invoice%E2%80%AEfdp.exe', 'a%E2%81%A6b.txt', 'c%C2%85d.txt']) {
      const res = await put(name, 'x');
      expect(res.status, name).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    const listed = await admin.get<{ artifacts: unknown[] }>('/api/v1/repositories/files/artifacts?prefix=');
    expect(listed.body.artifacts).toEqual([]);
    expect((await put('%E6%97%A5%E6%9C%AC/%F0%9F%93%A6.txt', 'ok')).status).toBe(201);
  });

  it('serves uploaded HTML with nosniff and a sandbox, and the admin API with nosniff', async () => {
    expect((await put('page.html', '<script>alert(1)</script>')).status).toBe(201);
    const page = await fetch(`${depot.url}/repository/files/page.html`, {
      headers: { authorization: admin.authorization },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toBe('sandbox');
    await page.arrayBuffer();
    const apiRes = await fetch(`${depot.url}/api/v1/repositories`, { headers: { authorization: admin.authorization } });
    expect(apiRes.headers.get('x-content-type-options')).toBe('nosniff');
    await apiRes.arrayBuffer();
  });

  it('refuses page sizes that are not plain whole numbers (1e9 is not 1)', async () => {
    const auth = { authorization: admin.authorization };
    for (const n of ['1e9', '-1', '0x10', '1.5']) {
      const tags = await fetch(`${depot.url}/v2/images/app/tags/list?n=${n}`, { headers: auth });
      expect(tags.status, `tags n=${n}`).toBe(400);
      await tags.arrayBuffer();
      const catalog = await fetch(`${depot.url}/v2/_catalog?n=${n}`, { headers: auth });
      expect(catalog.status, `catalog n=${n}`).toBe(400);
      await catalog.arrayBuffer();
      const browse = await admin.get<{ error: { code: string } }>(`/api/v1/repositories/files/artifacts?limit=${n}`);
      expect([browse.status, browse.body.error.code], `browse limit=${n}`).toEqual([400, 'BAD_REQUEST']);
      const search = await fetch(`${depot.url}/repository/packages/-/v1/search?text=x&size=${n}`, { headers: auth });
      expect(search.status, `npm search size=${n}`).toBe(400);
      await search.arrayBuffer();
    }
    const ok = await fetch(`${depot.url}/v2/_catalog?n=5`, { headers: auth });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });
});
