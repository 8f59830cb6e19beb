import { describe, expect, it } from 'vitest';
import { isDepotError } from '../errors/depot-error.js';
import { normalizePath } from './normalize-path.js';

const rejects = (raw: string): boolean => {
  try {
    normalizePath(raw);
    return false;
  } catch (err) {
    return isDepotError(err, 'BAD_REQUEST');
  }
};

describe('normalizePath', () => {
  it('collapses empty and dot segments and strips slashes', () => {
    expect(normalizePath('/a//b/./c/')).toBe('a/b/c');
    expect(normalizePath('')).toBe('');
    expect(normalizePath('%40scope%2fpkg')).toBe('@scope/pkg');
    expect(normalizePath('dir/na%20me.txt')).toBe('dir/na me.txt');
    expect(normalizePath('caf%C3%A9/%E2%9C%93:x')).toBe('café/✓:x');
    expect(normalizePath('%E6%97%A5%E6%9C%AC/%F0%9F%93%A6.txt')).toBe('日本/📦.txt');
  });

  it.each([
    '..',
    'a/../b',
    '%2e%2e/etc/passwd',
    'a/%2E%2E/b',
    'a%2f..%2fb',
    '..%5cwindows',
    'a\\b',
    'a%00b',
    '%c0%ae%c0%ae/x', // overlong UTF-8 for '.'
    '%ff',
    '%zz',
    'a%0ab',
    'invoice%E2%80%AEfdp.exe', // U+202E RIGHT-TO-LEFT OVERRIDE
    'a%E2%80%AAb', // U+202A
    'a%E2%81%A6b', // U+2066
    'a%E2%80%8Fb', // U+200F
    'a%C2%85b', // U+0085, a C1 control
  ])('rejects %s with BAD_REQUEST', (raw) => {
    expect(rejects(raw)).toBe(true);
  });
});
