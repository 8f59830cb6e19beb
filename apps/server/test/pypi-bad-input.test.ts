import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dist, makeWheel, twineFields, uploadForm } from '../../../packages/format-pypi/test/fixtures.js';
import { type ApiClient, api, basicAuth, type DepotProcess, startDepot } from './helpers/depot-process.js';

let depot: DepotProcess;
let client: ApiClient;

beforeAll(async () => {
  depot = await startDepot();
  client = api(depot);
  const res = await client.post('/api/v1/repositories', {
    name: 'py',
    repo_type: 'hosted',
    format: 'pypi',
    store: 'default',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}, 60_000);
afterAll(async () => depot?.stop());

/** A twine-shaped upload of `dist` to the hosted repository, `fields` overriding twine's. */
async function post(dist: Dist, name: string, version: string, fields: Record<string, string> = {}): Promise<Response> {
  const form = uploadForm(dist, { ...twineFields(dist, name, version), ...fields });
  return fetch(`${depot.url}/repository/py/`, {
    method: 'POST',
    headers: { 'content-type': form.contentType, authorization: basicAuth('admin', depot.adminPassword) },
    body: form.body,
  });
}

async function expectRefusedAndNothingStored(res: Response, code: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: { code } });
  const browse = await client.get<{ dirs: unknown[]; artifacts: unknown[] }>('/api/v1/repositories/py/artifacts');
  expect(browse.body).toMatchObject({ dirs: [], artifacts: [] });
  const page = await fetch(`${depot.url}/repository/py/simple/`, {
    headers: { authorization: basicAuth('admin', depot.adminPassword), accept: 'application/vnd.pypi.simple.v1+json' },
  });
  expect(await page.json()).toMatchObject({ projects: [] });
  expect((await fetch(`${depot.url}/api/v1/health`)).status).toBe(200);
}

describe('pypi bad input against a real depot', () => {
  it('a wheel with ../ inside → 400, nothing stored', async () => {
    const wheel = makeWheel('evil', '1.0', { extra: [{ name: 'evil/../../../x.pth', data: 'import os' }] });
    await expectRefusedAndNothingStored(await post(wheel, 'evil', '1.0'), 'BAD_REQUEST');
  });

  it('a file name whose version disagrees with the form → 400', async () => {
    await expectRefusedAndNothingStored(await post(makeWheel('pkg', '1.0'), 'pkg', '1.1'), 'BAD_REQUEST');
  });

  it('a sha256 digest mismatch → 400 DIGEST_MISMATCH', async () => {
    const res = await post(makeWheel('pkg', '1.0'), 'pkg', '1.0', { sha256_digest: 'f'.repeat(64) });
    await expectRefusedAndNothingStored(res, 'DIGEST_MISMATCH');
  });

  it('a non-zip wheel and a 0-byte file → 400', async () => {
    const notZip = { filename: 'pkg-1.0-py3-none-any.whl', bytes: Buffer.from('PK but not really a zip') };
    await expectRefusedAndNothingStored(await post(notZip, 'pkg', '1.0'), 'BAD_REQUEST');
    await expectRefusedAndNothingStored(
      await post({ filename: 'pkg-1.0.tar.gz', bytes: Buffer.alloc(0) }, 'pkg', '1.0'),
      'BAD_REQUEST',
    );
  });

  it('a project name with invalid characters → 400', async () => {
    await expectRefusedAndNothingStored(await post(makeWheel('pkg', '1.0'), 'pkg;rm -rf', '1.0'), 'BAD_REQUEST');
    const page = await fetch(`${depot.url}/repository/py/simple/%3Cscript%3E/`, {
      headers: { authorization: basicAuth('admin', depot.adminPassword) },
    });
    expect(page.status).toBe(404);
  });

  it('an anonymous upload → 401 with a Basic challenge', async () => {
    const form = uploadForm(makeWheel('pkg', '1.0'), twineFields(makeWheel('pkg', '1.0'), 'pkg', '1.0'));
    const res = await fetch(`${depot.url}/repository/py/`, {
      method: 'POST',
      headers: { 'content-type': form.contentType },
      body: form.body,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});
