import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goFormat } from '../src/index.js';
import { moduleZip, simpleModule, uploadModule } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: goFormat({ maxGoModBytes: 1024 }) });
  await h.createRepo({ name: 'go', repo_type: 'hosted' });
});
afterEach(async () => {
  await h.close();
});

const get = (path: string) => h.request({ method: 'GET', repo: 'go', path });
const stored = async (): Promise<string[]> => (await h.engine.list('go')).artifacts.map((a) => a.path);
const M = 'example.com/Lib';
const E = 'example.com/!lib';

describe('hosted GOPROXY', () => {
  it('serves list, info, mod, zip and latest with retractions honoured', async () => {
    for (const v of ['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1', 'v0.0.0-20240101120000-abcdefabcdef']) {
      expect((await uploadModule(h, 'go', M, v, simpleModule(M, v))).status).toBe(201);
    }
    const retracting = simpleModule(M, 'v1.2.0', 0, 'retract v1.2.0 // broken\n');
    expect((await uploadModule(h, 'go', M, 'v1.2.0', retracting)).status).toBe(201);
    expect((await get(`${E}/@v/list`)).text()).toBe('v1.0.0\nv1.1.0\nv1.2.0-rc.1\nv1.2.0\n');
    expect((await get(`${E}/@latest`)).json()).toMatchObject({ Version: 'v1.1.0' });
    expect((await get(`${E}/@v/v1.1.0.info`)).json()).toMatchObject({ Version: 'v1.1.0', Time: expect.any(String) });
    expect((await get(`${E}/@v/v1.1.0.mod`)).text()).toContain(`module ${M}`);
    expect((await get(`${E}/@v/v1.1.0.zip`)).body).toEqual(Buffer.from(simpleModule(M, 'v1.1.0')));
    expect((await get(`${E}/@v/v0.0.0-20240101120000-abcdefabcdef.info`)).status).toBe(200);
    expect((await get('example.com/lib/@v/list')).status).toBe(404);
    expect((await get('example.com/Lib/@v/list')).status).toBe(404);
  });

  it('synthesizes go.mod for a module without one and takes an explicit info', async () => {
    const zip = moduleZip(M, 'v1.0.0', { 'lib.go': 'package lib\n' });
    const info = JSON.stringify({ Version: 'v1.0.0', Time: '2024-01-01T00:00:00Z' });
    expect((await uploadModule(h, 'go', M, 'v1.0.0', zip, [{ name: 'info', body: info }])).status).toBe(201);
    expect((await get(`${E}/@v/v1.0.0.mod`)).text()).toBe(`module ${M}\n`);
    expect((await get(`${E}/@v/v1.0.0.info`)).text()).toBe(info);
  });

  it('answers 409 for the same version and keeps the first', async () => {
    expect((await uploadModule(h, 'go', M, 'v1.0.0', simpleModule(M, 'v1.0.0', 0))).status).toBe(201);
    const again = await uploadModule(h, 'go', M, 'v1.0.0', simpleModule(M, 'v1.0.0', 1));
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'CONFLICT' });
    expect((await get(`${E}/@v/v1.0.0.zip`)).body).toEqual(Buffer.from(simpleModule(M, 'v1.0.0', 0)));
  });

  it('deletes a version: gone from list and @latest, its files 404, delete permission needed', async () => {
    for (const v of ['v1.0.0', 'v1.1.0']) {
      expect((await uploadModule(h, 'go', M, v, simpleModule(M, v))).status).toBe(201);
    }
    const del = (who?: 'reader') =>
      (who === undefined ? h : h.as(who)).request({ method: 'DELETE', repo: 'go', path: `${E}/@v/v1.1.0.zip` });
    expect((await get(`${E}/@v/list`)).text()).toBe('v1.0.0\nv1.1.0\n');
    expect((await get(`${E}/@latest`)).json()).toMatchObject({ Version: 'v1.1.0' });
    expect((await del('reader')).status).toBe(403);
    const res = await del();
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      module: M,
      version: 'v1.1.0',
      deleted: expect.arrayContaining([`${E}/@v/v1.1.0.info`]),
    });
    expect((await get(`${E}/@v/list`)).text()).toBe('v1.0.0\n');
    expect((await get(`${E}/@latest`)).json()).toMatchObject({ Version: 'v1.0.0' });
    for (const ext of ['info', 'mod', 'zip']) expect((await get(`${E}/@v/v1.1.0.${ext}`)).status).toBe(404);
    expect((await del()).json()).toMatchObject({ code: 'NOT_FOUND' });
    // The version may be uploaded again once deleted.
    expect((await uploadModule(h, 'go', M, 'v1.1.0', simpleModule(M, 'v1.1.0', 2))).status).toBe(201);
  });
});

describe('bad uploads: 4xx with a code, nothing stored', () => {
  const m = 'example.com/m';
  const v = 'v1.0.0';
  // Uploads spool their zip under the temporary directory: a private one shows what is left behind.
  let spoolRoot = '';
  const savedTmp = process.env.TMPDIR;
  beforeEach(() => {
    spoolRoot = mkdtempSync(join(tmpdir(), 'go-spool-test-'));
    process.env.TMPDIR = spoolRoot;
  });
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });
  const cases: [string, () => Promise<Awaited<ReturnType<FormatHarness['request']>>>, string][] = [
    [
      'a ../ path',
      () => uploadModule(h, 'go', m, v, moduleZip(m, v, { [`${m}@${v}/../x.go`]: 'x' }, true)),
      'BAD_REQUEST',
    ],
    [
      'a file outside the prefix',
      () => uploadModule(h, 'go', m, v, moduleZip(m, v, { [`${m}@v9.9.9/x.go`]: 'x' }, true)),
      'BAD_REQUEST',
    ],
    [
      'case-colliding paths',
      () => uploadModule(h, 'go', m, v, moduleZip(m, v, { 'X.go': 'x', 'x.go': 'y' })),
      'BAD_REQUEST',
    ],
    [
      'a go.mod naming another module',
      () => uploadModule(h, 'go', m, v, moduleZip(m, v, { 'go.mod': 'module example.com/other\n' })),
      'BAD_REQUEST',
    ],
    [
      'a mod part naming another module',
      () =>
        uploadModule(h, 'go', m, v, simpleModule(m, v), [
          { name: 'mod', body: 'module example.com/other\n', filename: 'go.mod' },
        ]),
      'BAD_REQUEST',
    ],
    ['an invalid version', () => uploadModule(h, 'go', m, 'v1.0', simpleModule(m, 'v1.0')), 'BAD_REQUEST'],
    ['a v2 version without /v2', () => uploadModule(h, 'go', m, 'v2.0.0', simpleModule(m, 'v2.0.0')), 'BAD_REQUEST'],
    [
      '+incompatible on v1',
      () => uploadModule(h, 'go', m, 'v1.0.0+incompatible', simpleModule(m, 'v1.0.0+incompatible')),
      'BAD_REQUEST',
    ],
    ['an invalid module path', () => uploadModule(h, 'go', 'nodot/m', v, simpleModule('nodot/m', v)), 'BAD_REQUEST'],
    [
      'an oversized go.mod',
      () => uploadModule(h, 'go', m, v, moduleZip(m, v, { 'go.mod': `module ${m}\n${'// pad\n'.repeat(400)}` })),
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'an info for another version',
      () => uploadModule(h, 'go', m, v, simpleModule(m, v), [{ name: 'info', body: '{"Version":"v9.0.0"}' }]),
      'BAD_REQUEST',
    ],
    ['not a zip', () => uploadModule(h, 'go', m, v, new TextEncoder().encode('nope')), 'BAD_REQUEST'],
    [
      'a missing zip',
      () =>
        h.request({ method: 'POST', repo: 'go', path: 'upload', headers: { 'content-type': 'text/plain' }, body: 'x' }),
      'BAD_REQUEST',
    ],
  ];
  it.each(cases)('refuses %s', async (_what, send, code) => {
    const res = await send();
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json()).toMatchObject({ code, error: expect.any(String) });
    expect(await stored()).toEqual([]);
    expect(readdirSync(spoolRoot)).toEqual([]);
  });

  it('spools the zip to a temporary file and removes it after a good upload', async () => {
    expect((await uploadModule(h, 'go', m, v, simpleModule(m, v))).status).toBe(201);
    expect(readdirSync(spoolRoot)).toEqual([]);
  });

  it('refuses a body that breaks off mid-part without an unhandled error', async () => {
    const full = (await import('./helpers.js')).multipart([
      { name: 'module', body: m },
      { name: 'version', body: v },
      { name: 'zip', body: simpleModule(m, v), filename: 'm.zip' },
    ]);
    const cut = full.body.subarray(0, full.body.byteLength - 60);
    const res = await h.request({
      method: 'POST',
      repo: 'go',
      path: 'upload',
      headers: { 'content-type': full.contentType },
      body: cut,
    });
    expect(res.status).toBe(400);
    expect(await stored()).toEqual([]);
    expect(readdirSync(spoolRoot)).toEqual([]);
  });
});
