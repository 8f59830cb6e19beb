import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';

// A plugin (format or store package, or the example format) takes `@depot/core` from the server that
// loads it: a peer dependency, with a workspace copy for its own build and tests. As a plain
// dependency, an install could hand the plugin a second copy of core (its own DepotError class,
// its own contracts) beside the server's.

interface PackageJson {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** The plugin packages' directories, relative to the repository root. */
function pluginDirs(): string[] {
  const packages = readdirSync(join(REPO_ROOT, 'packages'))
    .filter((name) => /^(format|store)-/.test(name))
    .map((name) => `packages/${name}`);
  return [...packages, 'examples/depot-format-hello'].filter((dir) => existsSync(join(REPO_ROOT, dir, 'package.json')));
}

describe('plugin packages', () => {
  it.each(pluginDirs())('%s takes @depot/core as a peer dependency', (dir) => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson;
    expect(pkg.dependencies?.['@depot/core']).toBeUndefined();
    expect(pkg.peerDependencies?.['@depot/core']).toBe('workspace:^');
    expect(pkg.devDependencies?.['@depot/core']).toBe('workspace:*');
  });
});
