import { describe, expect, it } from 'vitest';
import { compileGlob, globMatches, globProblem } from './glob.js';

const TABLE: [glob: string, name: string, expected: boolean][] = [
  ['*', 'anything', true],
  ['*', 'a', true],
  ['team-*', 'team-a', true],
  ['team-*', 'team-', true],
  ['team-*', 'team', false],
  ['team-*', 'xteam-a', false],
  ['team-*', 'TEAM-a', false],
  ['team-a*', 'team-ab', true],
  ['team-a*', 'team-b', false],
  ['npm-?', 'npm-a', true],
  ['npm-?', 'npm-', false],
  ['npm-?', 'npm-ab', false],
  ['npm-?', 'NPM-a', false],
  ['exact', 'exact', true],
  ['exact', 'exactly', false],
  ['exact', 'inexact', false],
  ['*-prod', 'web-prod', true],
  ['*-prod', 'web-prod2', false],
  ['a*b*c', 'abc', true],
  ['a*b*c', 'aXXbYYc', true],
  ['a*b*c', 'aXXbYY', false],
  ['a*b*c', 'acb', false],
  ['?', '', false],
  ['*', '', true],
  ['a.b', 'aXb', false],
  ['a.b', 'a.b', true],
  ['te?m-*', 'team-x', true],
  ['te?m-*', 'tem-x', false],
  ['team-a/../team-b', 'team-b', false],
];

describe('repository globs', () => {
  it.each(TABLE)('%s matches %j → %s', (glob, name, expected) => {
    expect(globMatches(glob, name)).toBe(expected);
  });

  it('compiles each glob once', () => {
    expect(compileGlob('team-*')).toBe(compileGlob('team-*'));
  });

  it('refuses metacharacters, empty and overlong globs, which then match nothing', () => {
    for (const bad of ['', 'a/b', 'a[bc]', '(a)', 'a b', 'x'.repeat(257)]) {
      expect(globProblem(bad)).not.toBeNull();
      expect(globMatches(bad, bad)).toBe(false);
    }
    expect(globProblem('team-*.prod?')).toBeNull();
  });

  it('matches pathological globs in bounded time', () => {
    const glob = `${'*a'.repeat(60)}b`;
    const name = 'a'.repeat(128);
    const start = performance.now();
    expect(globMatches(glob, name)).toBe(false);
    expect(performance.now() - start).toBeLessThan(200);
  });
});
