import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every store and format package must run its contract's conformance suite (STYLE.md: "A meta-test
// fails when a package skips its suite"). This looks at the packages as they are on disk, so a new
// package without its suite fails here.
const packagesDir = join(import.meta.dirname, '..', '..');

const SUITE_BY_PREFIX: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['store-level', ['describeKvStore(']],
  ['store-dynamodb', ['describeKvStore(']],
  ['store-fs', ['describeBlobStore(']],
  ['store-s3', ['describeBlobStore(']],
  ['format-', ['describeFormat(']],
];

function testSources(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) text += testSources(path);
    else if (entry.endsWith('.test.ts')) text += readFileSync(path, 'utf8');
  }
  return text;
}

const plugins = readdirSync(packagesDir).filter((name) => SUITE_BY_PREFIX.some(([prefix]) => name.startsWith(prefix)));

describe('every store and format package runs its conformance suite', () => {
  it('finds the plugin packages', () => {
    expect(plugins).toEqual(
      expect.arrayContaining(['store-level', 'store-fs', 'store-s3', 'store-dynamodb', 'format-raw']),
    );
  });

  it.each(plugins)('%s', (name) => {
    const required = SUITE_BY_PREFIX.find(([prefix]) => name.startsWith(prefix))?.[1] ?? [];
    const sources = testSources(join(packagesDir, name));
    for (const call of required) expect(sources, `${name} must call ${call}…) in a test`).toContain(call);
  });
});
