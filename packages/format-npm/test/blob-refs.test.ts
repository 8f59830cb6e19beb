import type { RepositoryRecord } from '@depot/core';
import { memoryKvStore } from '@depot/testkit';
import { describe, expect, it } from 'vitest';
import { npmBlobReferences } from '../src/blob-refs.js';
import { packumentStore } from '../src/store.js';
import type { Packument } from '../src/types.js';

const repo = (name: string, repo_type: RepositoryRecord['repo_type']) => ({ name, repo_type }) as RepositoryRecord;
const version = (name: string, v: string, tarball: string) => ({ name, version: v, dist: { tarball } });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('npm referencedBlobs', () => {
  it("lists every version's tarball of a hosted repository's packuments, and nothing of another repository", async () => {
    const store = packumentStore(memoryKvStore());
    const doc: Packument = {
      name: '@s/p',
      'dist-tags': { latest: '1.1.0' },
      versions: {
        '1.0.0': version('@s/p', '1.0.0', 'http://depot/repository/r/@s/p/-/p-1.0.0.tgz'),
        '1.1.0': version('@s/p', '1.1.0', 'http://depot/repository/r/@s/p/-/p-1.1.0.tgz'),
      },
    };
    await store.update('r', '@s/p', () => doc);
    await store.update('other', 'q', () => ({
      name: 'q',
      'dist-tags': { latest: '1.0.0' },
      versions: { '1.0.0': version('q', '1.0.0', 'x/q-1.0.0.tgz') },
    }));
    const refs = await collect(npmBlobReferences(store, repo('r', 'hosted')));
    expect(refs.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { repo: 'r', path: '@s/p/-/p-1.0.0.tgz' },
      { repo: 'r', path: '@s/p/-/p-1.1.0.tgz' },
    ]);
    expect(await collect(npmBlobReferences(store, repo('r', 'cache')))).toEqual([]);
  });
});
