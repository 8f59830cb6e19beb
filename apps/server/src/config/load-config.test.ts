import { describe, expect, it } from 'vitest';
import { parseListen } from './config-schema.js';
import { ConfigError, parseConfig } from './load-config.js';

describe('parseConfig', () => {
  it('fills in the defaults for an empty file', () => {
    const config = parseConfig('', 'test');
    expect(config.http).toEqual({ listen: '0.0.0.0:8080' });
    // The level plugin fills in its own defaults (path ./depot-data/kv) when it opens the store.
    expect(config.kv_store).toEqual({ type: 'level' });
    expect(config.formats).toEqual({});
    expect(config.plugins).toEqual([]);
    expect(config.https).toBeUndefined();
  });

  it('does not add plain HTTP when only [https] is configured', () => {
    const config = parseConfig('[https]\ntls_cert = "c.pem"\ntls_key = "k.pem"\n', 'test');
    expect(config.http).toBeUndefined();
    expect(config.https).toEqual({ listen: '0.0.0.0:443', tls_cert: 'c.pem', tls_key: 'k.pem' });
  });

  it('defaults [kv_store] type to level and hands every other key to the plugin, sync included', () => {
    const config = parseConfig('[kv_store]\npath = "/tmp/kv"\nsync = false\n', 'test');
    expect(config.kv_store).toEqual({ type: 'level', path: '/tmp/kv', sync: false });
  });

  it('reads [formats.<name>] tables and [[plugins]] entries', () => {
    const text = [
      '[formats.raw]',
      'max_upload_bytes = 1024',
      '[[plugins]]',
      'package = "@acme/depot-format-x"',
      'options = { greeting = "hi" }',
    ].join('\n');
    const config = parseConfig(text, 'test');
    expect(config.formats).toEqual({ raw: { max_upload_bytes: 1024 } });
    expect(config.plugins).toEqual([{ package: '@acme/depot-format-x', options: { greeting: 'hi' } }]);
    expect(() => parseConfig('[[plugins]]\npackage = "x"\noption = {}\n', 't')).toThrow(
      /plugins\.0\.option: unknown key/,
    );
  });

  it('names every bad key path', () => {
    const text = ['colour = "red"', '[http]', 'listen = "nowhere"', '[ldap]', 'url = "http://x"'].join('\n');
    let message = '';
    try {
      parseConfig(text, 'test.toml');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('colour: unknown key');
    expect(message).toContain('http.listen: must be "host:port"');
    expect(message).toContain('ldap.url');
    expect(message).toContain('ldap.bind_dn');
  });

  it('validates initialization entries at load time', () => {
    expect(() => parseConfig('[[initialization.repositories]]\nname = "x"\nrepo_type = "weird"\n', 't')).toThrow(
      /initialization\.repositories\.0\.repo_type/,
    );
  });
});

describe('parseListen', () => {
  it('splits host and port, IPv6 in brackets', () => {
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::]:8080')).toEqual({ host: '::', port: 8080 });
    expect(parseListen('localhost:70000')).toBeNull();
    expect(parseListen(':80')).toBeNull();
  });
});
