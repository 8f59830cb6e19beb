import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { helmFormat } from '../src/index.js';
import { fetchIndex } from './client.js';
import { chartTgz, chartYaml, makeTgz, multipart } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: helmFormat() });
  await h.createRepo({ name: 'charts' });
});
afterEach(() => h.close());

/** Nothing half-written: no artifact, no record, an index without the chart, and the repo still serves. */
async function expectNothingStored(path: string): Promise<void> {
  expect(await h.engine.stat('charts', path)).toBeNull();
  expect((await h.engine.list('charts')).artifacts).toEqual([]);
  expect((await fetchIndex(h, 'charts')).entries).toEqual({});
  const ok = await h.request({
    method: 'PUT',
    repo: 'charts',
    path: 'fine-1.0.0.tgz',
    body: chartTgz('fine', '1.0.0'),
  });
  expect(ok.status).toBe(201);
}

const cases: [string, string, Uint8Array, number, string][] = [
  [
    'a tgz without Chart.yaml',
    'web-1.0.0.tgz',
    makeTgz([{ path: 'web/values.yaml', body: 'a: 1\n' }]),
    400,
    'BAD_REQUEST',
  ],
  ['Chart.yaml naming another chart', 'web-1.0.0.tgz', chartTgz('api', '1.0.0'), 400, 'BAD_REQUEST'],
  ['Chart.yaml naming another version', 'web-1.0.0.tgz', chartTgz('web', '1.0.1'), 400, 'BAD_REQUEST'],
  [
    'a ../ entry',
    'web-1.0.0.tgz',
    makeTgz([
      { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
      { path: 'web/../../evil', body: 'x' },
    ]),
    400,
    'BAD_REQUEST',
  ],
  [
    'a symlink',
    'web-1.0.0.tgz',
    makeTgz([
      { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
      { path: 'web/templates/x', type: '2', link: '/etc/passwd' },
    ]),
    400,
    'BAD_REQUEST',
  ],
  ['a body that is not gzip', 'web-1.0.0.tgz', new TextEncoder().encode('just text, not a chart'), 400, 'BAD_REQUEST'],
  ['an invalid SemVer', 'web-1.0.tgz', chartTgz('web', '1.0'), 400, 'BAD_REQUEST'],
  [
    'an oversized Chart.yaml',
    'web-1.0.0.tgz',
    makeTgz([{ path: 'web/Chart.yaml', body: `${chartYaml('web', '1.0.0')}#${'x'.repeat(3 * 1024 * 1024)}\n` }]),
    413,
    'PAYLOAD_TOO_LARGE',
  ],
];

describe('bad charts: a 4xx with a JSON code, nothing stored, still serving', () => {
  it.each(cases)('PUT with %s', async (_, path, body, status, code) => {
    const res = await h.request({ method: 'PUT', repo: 'charts', path, body });
    expect(res.status).toBe(status);
    expect(res.json<{ code: string; error: string }>()).toMatchObject({ code, error: expect.any(String) });
    await expectNothingStored(path);
  });

  it.each(cases)('ChartMuseum POST with %s', async (_, path, chart, status, code) => {
    const form = multipart([{ field: 'chart', filename: path, body: chart }]);
    const res = await h.request({
      method: 'POST',
      repo: 'charts',
      path: 'api/charts',
      headers: { 'content-type': form.contentType },
      body: form.body,
    });
    // Through the API the file name comes from Chart.yaml, so a name/version "mismatch" is a valid upload.
    if (path === 'web-1.0.0.tgz' && (chart === cases[1]?.[2] || chart === cases[2]?.[2])) {
      expect(res.status).toBe(201);
      return;
    }
    expect(res.status).toBe(status);
    expect(res.json<{ code: string }>().code).toBe(code);
    await expectNothingStored(path);
  });

  it('a multipart body cut off inside the chart part stores nothing', async () => {
    const form = multipart([{ field: 'chart', filename: 'web-1.0.0.tgz', body: chartTgz('web', '1.0.0') }]);
    const res = await h.request({
      method: 'POST',
      repo: 'charts',
      path: 'api/charts',
      headers: { 'content-type': form.contentType },
      body: form.body.subarray(0, form.body.byteLength - 60),
    });
    expect(res.status).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('BAD_REQUEST');
    await expectNothingStored('web-1.0.0.tgz');
  });

  it('a PUT path that is not {name}-{version}.tgz at the root is refused', async () => {
    const res = await h.request({
      method: 'PUT',
      repo: 'charts',
      path: 'sub/web-1.0.0.tgz',
      body: chartTgz('web', '1.0.0'),
    });
    expect(res.status).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('BAD_REQUEST');
  });

  it('a provenance file that is not clear-signed is refused', async () => {
    const res = await h.request({ method: 'PUT', repo: 'charts', path: 'web-1.0.0.tgz.prov', body: 'hello' });
    expect(res.status).toBe(400);
    expect(await h.engine.stat('charts', 'web-1.0.0.tgz.prov')).toBeNull();
  });

  it('a multipart body without a chart part, or not multipart at all, is a 400', async () => {
    const form = multipart([{ field: 'other', filename: 'x', body: 'x' }]);
    const missing = await h.request({
      method: 'POST',
      repo: 'charts',
      path: 'api/charts',
      headers: { 'content-type': form.contentType },
      body: form.body,
    });
    expect(missing.status).toBe(400);
    const raw = await h.request({ method: 'POST', repo: 'charts', path: 'api/charts', body: chartTgz('web', '1.0.0') });
    expect(raw.status).toBe(400);
    expect(raw.json<{ code: string }>().code).toBe('BAD_REQUEST');
  });
});
