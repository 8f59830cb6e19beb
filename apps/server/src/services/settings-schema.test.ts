import { badRequest, type Format } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { validateSettings } from '../runtime/settings-service.js';
import { settingsSchemaWith } from './settings-schema.js';

const withLimit: Pick<Format, 'name' | 'settings'> = {
  name: 'acme',
  settings: {
    acme_limit: {
      default: 5,
      parse(value) {
        if (typeof value !== 'number' || value < 1) throw badRequest('must be a number ≥ 1');
        return value;
      },
    },
  },
};

describe('settings merged from formats', () => {
  it('fills a format setting with its default and keeps the server keys', () => {
    const settings = validateSettings({}, settingsSchemaWith([withLimit]));
    expect(settings).toMatchObject({ acme_limit: 5, access_log: true });
  });

  it("validates a format setting with the format's parse and names the key", () => {
    const schema = settingsSchemaWith([withLimit]);
    expect(validateSettings({ acme_limit: 7 }, schema).acme_limit).toBe(7);
    expect(() => validateSettings({ acme_limit: 0 }, schema)).toThrow(/acme_limit: must be a number ≥ 1/);
    expect(() => validateSettings({ acme_limit: 0 }, schema)).toThrowError(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('refuses a format key unknown to every installed format', () => {
    expect(() => validateSettings({ acme_limit: 3 }, settingsSchemaWith([]))).toThrowError(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('fails startup when a format setting collides with a server key or another format', () => {
    const clash = { name: 'evil', settings: { access_log: withLimit.settings?.acme_limit } } as Pick<
      Format,
      'name' | 'settings'
    >;
    expect(() => settingsSchemaWith([clash])).toThrow(/access_log/);
    expect(() => settingsSchemaWith([withLimit, { ...withLimit, name: 'twin' }])).toThrow(/acme_limit/);
  });
});
