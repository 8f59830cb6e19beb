import { describe, expect, it } from 'vitest';
import { addressAllowed, classifyAddress, classifyHost } from './address-class.js';

const hostOf = (url: string): string => new URL(url).hostname;

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fdff::1', 'link-local'],
    ['fd00:ec2::254', 'link-local'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('returns null for names', () => {
    expect(classifyAddress('example.com')).toBeNull();
  });
});

describe('classifyHost (after WHATWG URL parsing)', () => {
  it.each([
    ['http://0x7f000001/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://localhost/', 'loopback'],
    ['http://LocalHost./', 'loopback'],
    ['http://a.b.localhost/', 'loopback'],
    ['http://0xa9fea9fe/', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['https://registry.npmjs.org/', 'name'],
    ['https://localhost.example.com/', 'name'],
    ['https://1.1.1.1/', 'public'],
  ])('%s is %s', (url, cls) => {
    expect(classifyHost(hostOf(url))).toBe(cls);
  });
});

describe('addressAllowed', () => {
  const none = { allowPrivate: false, allowLinkLocal: false };
  it('allows public addresses and names always, the rest only by their own setting', () => {
    expect(addressAllowed('public', none)).toBe(true);
    expect(addressAllowed('name', none)).toBe(true);
    for (const cls of ['loopback', 'private', 'unspecified', 'link-local'] as const) {
      expect(addressAllowed(cls, none)).toBe(false);
    }
    const priv = { allowPrivate: true, allowLinkLocal: false };
    expect(addressAllowed('loopback', priv)).toBe(true);
    expect(addressAllowed('link-local', priv)).toBe(false);
    expect(addressAllowed('link-local', { allowPrivate: false, allowLinkLocal: true })).toBe(true);
  });
});
