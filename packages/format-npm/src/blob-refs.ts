import type { BlobReference, RepositoryRecord } from '@depot/core';
import { tarballPath } from './names.js';
import { versionFile } from './render.js';
import type { PackumentStore } from './store.js';

/**
 * The tarballs of `repo` that its hosted packuments (npm's own KV records) list: every version's
 * tarball artifact. Cache and proxy repositories keep no packuments of their own.
 */
export async function* npmBlobReferences(store: PackumentStore, repo: RepositoryRecord): AsyncIterable<BlobReference> {
  if (repo.repo_type !== 'hosted') return;
  for await (const stored of store.scan(repo.name)) {
    for (const version of Object.values(stored.doc.versions)) {
      yield { repo: repo.name, path: tarballPath(stored.doc.name, versionFile(version)) };
    }
  }
}
