import { randomBytes } from 'node:crypto';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { depotPlugin } from '../src/index.js';
import { makeTgz, publish } from './helpers.js';

let h: FormatHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A package whose tarball is ~6 KiB of incompressible bytes, so its publish body is ~8 KiB. */
const bulky = makeTgz([
  { path: 'package/package.json', body: JSON.stringify({ name: 'bulky', version: '1.0.0' }) },
  { path: 'package/blob.txt', body: randomBytes(3000).toString('hex') },
]);

describe('npm manifest options ([formats.npm])', () => {
  it('max_publish_bytes limits the publish body: 413 and nothing stored above it', async () => {
    h = await createFormatHarness({ format: depotPlugin.create({ max_publish_bytes: 4096 }) });
    await h.createRepo({ name: 'r' });
    const res = await publish(h, 'r', 'bulky', '1.0.0', { tgz: bulky });
    expect(res.status, res.text()).toBe(413);
    expect((await h.engine.list('r')).artifacts).toEqual([]);
    expect((await h.kv.list({ prefix: 'fmt/npm/' })).entries).toEqual([]);
  });

  it('without options the same publish is accepted', async () => {
    h = await createFormatHarness({ format: depotPlugin.create({}) });
    await h.createRepo({ name: 'r' });
    const res = await publish(h, 'r', 'bulky', '1.0.0', { tgz: bulky });
    expect(res.status, res.text()).toBeLessThan(300);
  });

  it.each([
    [{ max_publish_bytes: 0 }, 'max_publish_bytes'],
    [{ max_publish_bytes: '1mb' }, 'max_publish_bytes'],
    [{ proxy_metadata_ttl_secs: -5 }, 'proxy_metadata_ttl_secs'],
    [{ maxPublishBytes: 10 }, 'maxPublishBytes'],
  ])('refuses %j naming the key', (options, key) => {
    expect(() => depotPlugin.create(options)).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', details: expect.objectContaining({ option: key }) }),
    );
  });
});
