import { createFormatHarness } from '@depot/testkit';
import { describe, expect, it } from 'vitest';
import { depotPlugin } from '../src/index.js';
import { makeWheel } from './fixtures.js';
import { upload } from './helpers.js';

describe('pypi plugin options', () => {
  it('refuses unknown keys and bad values, naming the option', () => {
    expect(() => depotPlugin.create({ max_upload_bytez: 1 })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => depotPlugin.create({ max_upload_bytes: -1 })).toThrow(
      expect.objectContaining({
        code: 'BAD_REQUEST',
        details: expect.objectContaining({ option: 'max_upload_bytes' }),
      }),
    );
  });

  it('max_upload_bytes: a larger file is 413 and nothing is stored', async () => {
    const h = await createFormatHarness({ format: depotPlugin.create({ max_upload_bytes: 600 }) });
    try {
      await h.createRepo({ name: 'py' });
      const wheel = makeWheel('big', '1.0', {
        extra: [{ name: 'big/data.bin', data: 'x'.repeat(5000) + Math.random() }],
      });
      expect(wheel.bytes.length).toBeGreaterThan(600);
      const res = await upload(h, 'py', wheel, 'big', '1.0');
      expect(res.status).toBe(413);
      expect(res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect((await h.engine.list('py')).artifacts).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('format_options: only allow_redeploy, a boolean', async () => {
    const h = await createFormatHarness({ format: depotPlugin.create({}) });
    try {
      await expect(h.createRepo({ name: 'a', format_options: { allow_redeploy: 'yes' } })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
      await expect(h.createRepo({ name: 'b', format_options: { redeploy: true } })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    } finally {
      await h.close();
    }
  });
});
