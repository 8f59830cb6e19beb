import type { RepositoryRecord } from '@depot/core';
import { memoryKvStore } from '@depot/testkit';
import { describe, expect, it } from 'vitest';
import { dockerBlobReferences } from '../src/store/gc-references.js';
import { dockerKv } from '../src/store/kv.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const repo = { name: 'r', repo_type: 'cache' } as RepositoryRecord;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('docker referencedBlobs', () => {
  it("names each referrer's manifest and each KV-kept manifest's config and layers, of this repository only", async () => {
    const kv = dockerKv(memoryKvStore());
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 3 }],
    };
    const body = Buffer.from(JSON.stringify(manifest)).toString('base64');
    await kv.cacheManifests.put(`r/library/alpine/${d('a')}`, { mediaType: manifest.mediaType, digest: d('a'), body });
    await kv.cacheManifests.put(`rr/x/${d('a')}`, { mediaType: manifest.mediaType, digest: d('a'), body });
    await kv.referrers.put(`r/app/${d('a')}/${d('b')}`, { mediaType: manifest.mediaType, digest: d('b'), size: 9 });
    const refs = (await collect(dockerBlobReferences(kv, repo))).map((x) => x.path).sort();
    expect(refs).toEqual(
      [`app/_manifests/${d('b')}`, `library/alpine/_blobs/${d('1')}`, `library/alpine/_blobs/${d('c')}`].sort(),
    );
  });
});
