import { scopedKv } from '@depot/core';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { packumentStore } from '../src/store.js';
import { getPackument, type HarnessResponse, type PackumentJson, publish } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: npmFormat() });
  await h.createRepo({ name: 'r' });
});
afterEach(() => h.close());

const code = (res: HarnessResponse): string | undefined => res.json<{ code?: string }>().code;
const doc = async (name: string): Promise<PackumentJson> =>
  (await getPackument(h, 'r', name, true)).json<PackumentJson>();
const putTag = (tag: string, version: string) =>
  h.request({ method: 'PUT', repo: 'r', path: `-/package/p/dist-tags/${tag}`, body: JSON.stringify(version) });

describe('npm dist-tag names that reach the prototype', () => {
  it('constructor, prototype and __proto__ are refused by dist-tag add, publish and packument PUT', async () => {
    expect((await publish(h, 'r', 'p', '1.0.0')).status).toBe(201);
    for (const tag of ['constructor', 'prototype', '__proto__']) {
      const res = await putTag(tag, '1.0.0');
      expect([res.status, code(res)]).toEqual([400, 'BAD_REQUEST']);
    }
    const published = await publish(h, 'r', 'p', '1.0.1', { tag: 'constructor' });
    expect([published.status, code(published)]).toEqual([400, 'BAD_REQUEST']);
    const current = await doc('p');
    const body = { ...current, 'dist-tags': { ...current['dist-tags'], prototype: '1.0.0' } };
    const unpublish = await h.request({
      method: 'PUT',
      repo: 'r',
      path: `p/-rev/${current._rev}`,
      body: JSON.stringify(body),
    });
    expect([unpublish.status, code(unpublish)]).toEqual([400, 'BAD_REQUEST']);
    expect((await doc('p'))['dist-tags']).toEqual({ latest: '1.0.0' });
  });

  it('a packument already holding a constructor tag still takes deprecate, publish and unpublish', async () => {
    expect((await publish(h, 'r', 'p', '1.0.0')).status).toBe(201);
    expect((await publish(h, 'r', 'p', '1.1.0')).status).toBe(201);
    // A document written before tag names were checked.
    await packumentStore(scopedKv(h.kv, 'fmt/npm/')).update('r', 'p', (current) => {
      if (current === null) throw new Error('missing');
      return { ...current.doc, 'dist-tags': { ...current.doc['dist-tags'], constructor: '1.0.0' } };
    });
    expect(Object.keys((await doc('p'))['dist-tags']).sort()).toEqual(['constructor', 'latest']);

    const deprecate = await doc('p');
    (deprecate.versions as Record<string, Record<string, unknown>>)['1.0.0'] = {
      ...deprecate.versions['1.0.0'],
      deprecated: 'old',
    };
    const res = await h.request({ method: 'PUT', repo: 'r', path: 'p', body: JSON.stringify(deprecate) });
    expect(res.status, res.text()).toBe(200);
    const after = await doc('p');
    expect(after.versions['1.0.0']?.deprecated).toBe('old');
    expect(after['dist-tags']).toEqual({ latest: '1.1.0' });

    await packumentStore(scopedKv(h.kv, 'fmt/npm/')).update('r', 'p', (current) => {
      if (current === null) throw new Error('missing');
      return { ...current.doc, 'dist-tags': { ...current.doc['dist-tags'], constructor: '1.0.0' } };
    });
    const unpublish = await doc('p');
    const { '1.1.0': _gone, ...kept } = unpublish.versions;
    const removed = await h.request({
      method: 'PUT',
      repo: 'r',
      path: `p/-rev/${unpublish._rev}`,
      body: JSON.stringify({ ...unpublish, versions: kept }),
    });
    expect(removed.status, removed.text()).toBe(200);
    expect(Object.keys((await doc('p')).versions)).toEqual(['1.0.0']);
    expect((await doc('p'))['dist-tags']).toEqual({ latest: '1.0.0' });
    expect((await publish(h, 'r', 'p', '2.0.0')).status).toBe(201);
  });

  it('dist-tag rm still removes a constructor tag stored before names were checked', async () => {
    expect((await publish(h, 'r', 'p', '1.0.0')).status).toBe(201);
    await packumentStore(scopedKv(h.kv, 'fmt/npm/')).update('r', 'p', (current) => {
      if (current === null) throw new Error('missing');
      return { ...current.doc, 'dist-tags': { ...current.doc['dist-tags'], constructor: '1.0.0' } };
    });
    const rm = await h.request({ method: 'DELETE', repo: 'r', path: '-/package/p/dist-tags/constructor' });
    expect(rm.status, rm.text()).toBe(200);
    expect((await doc('p'))['dist-tags']).toEqual({ latest: '1.0.0' });
  });
});
