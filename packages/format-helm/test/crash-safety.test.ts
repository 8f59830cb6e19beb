import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { helmFormat } from '../src/index.js';
import { fetchIndex } from './client.js';
import { chartTgz } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: helmFormat() });
  await h.createRepo({ name: 'charts' });
});
afterEach(() => h.close());

/** Makes KV writes under `prefix` fail, as a process dying right before them would leave things. */
function failWrites(prefix: string): () => void {
  const kv = h.kv as { put: typeof h.kv.put; delete: typeof h.kv.delete; batch: typeof h.kv.batch };
  const { put, delete: del, batch } = kv;
  const refuse = (key: string) => {
    if (key.startsWith(prefix)) throw new Error(`simulated crash before writing ${key}`);
  };
  kv.put = async (key, value) => {
    refuse(key);
    return put.call(h.kv, key, value);
  };
  kv.delete = async (key) => {
    refuse(key);
    return del.call(h.kv, key);
  };
  kv.batch = async (ops) => {
    for (const op of ops) refuse(op.key);
    return batch.call(h.kv, ops);
  };
  return () => {
    Object.assign(kv, { put, delete: del, batch });
  };
}

describe('a process that dies between the chart write and the bookkeeping after it', () => {
  it('a stored chart whose record was never written is in the next index', async () => {
    expect((await fetchIndex(h, 'charts')).entries).toEqual({});
    const restore = failWrites('fmt/helm/charts/');
    const res = await h.request({
      method: 'PUT',
      repo: 'charts',
      path: 'web-1.0.0.tgz',
      body: chartTgz('web', '1.0.0'),
    });
    restore();
    expect(res.status).toBe(500);
    expect(await h.engine.stat('charts', 'web-1.0.0.tgz')).not.toBeNull();
    expect((await fetchIndex(h, 'charts')).entries.web?.map((e) => e.version)).toEqual(['1.0.0']);
  });

  it('a deleted chart whose record removal never happened is gone from the next index', async () => {
    await h.request({ method: 'PUT', repo: 'charts', path: 'web-1.0.0.tgz', body: chartTgz('web', '1.0.0') });
    expect(Object.keys((await fetchIndex(h, 'charts')).entries)).toEqual(['web']);
    const restore = failWrites('fmt/helm/charts/');
    const res = await h.request({ method: 'DELETE', repo: 'charts', path: 'web-1.0.0.tgz' });
    restore();
    expect(res.status).toBe(500);
    expect(await h.engine.stat('charts', 'web-1.0.0.tgz')).toBeNull();
    expect((await fetchIndex(h, 'charts')).entries).toEqual({});
  });
});
