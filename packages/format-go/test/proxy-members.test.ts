import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goFormat } from '../src/index.js';
import { simpleModule, uploadModule } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  // The cache member's upstream is unreachable: every fill fails.
  h = await createFormatHarness({
    format: goFormat(),
    fetch: () => Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED')),
  });
  await h.createRepo({ name: 'local', repo_type: 'hosted' });
  await h.createRepo({ name: 'down', repo_type: 'cache', upstream_url: 'http://127.0.0.1:9/go' });
  await h.createRepo({ name: 'all', repo_type: 'proxy', members: ['down', 'local'] });
  const m = 'example.com/m';
  for (const v of ['v1.0.0', 'v1.1.0'])
    expect((await uploadModule(h, 'local', m, v, simpleModule(m, v))).status).toBe(201);
});
afterEach(async () => {
  await h.close();
});

const get = (repo: string, path: string) => h.request({ method: 'GET', repo, path });

describe('a proxy whose cache member cannot reach its upstream', () => {
  it('still answers list and @latest from the other members', async () => {
    expect((await get('all', 'example.com/m/@v/list')).text()).toBe('v1.0.0\nv1.1.0\n');
    expect((await get('all', 'example.com/m/@latest')).json()).toMatchObject({ Version: 'v1.1.0' });
    expect((await get('all', 'example.com/m/@v/v1.0.0.mod')).status).toBe(200);
  });

  it('answers 502 with a code when no member knows the module', async () => {
    const res = await get('all', 'example.com/other/@v/list');
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect((await get('down', 'example.com/m/@v/list')).json()).toMatchObject({ code: 'UPSTREAM_ERROR' });
  });
});
