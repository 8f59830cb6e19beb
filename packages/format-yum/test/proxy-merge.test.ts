import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mergeDocs, repomdLocations } from '../src/proxy.js';
import { buildRepodata, type PackageEntry } from '../src/repodata.js';
import type { RpmInfo } from '../src/rpm.js';

const info = (name: string, version: string, file: string): RpmInfo => ({
  name,
  epoch: '0',
  version,
  release: '1',
  arch: 'noarch',
  summary: name,
  description: '',
  url: '',
  packager: '',
  license: 'MIT',
  vendor: '',
  group: '',
  buildhost: '',
  sourcerpm: '',
  buildTime: 1,
  installedSize: 1,
  archiveSize: 1,
  headerStart: 0,
  headerEnd: 1,
  provides: [],
  requires: [],
  conflicts: [],
  obsoletes: [],
  recommends: [],
  suggests: [],
  supplements: [],
  enhances: [],
  files: [{ path: file }],
  changelogs: [],
});
const entry = (name: string, version: string, sha: string, file: string): PackageEntry => ({
  info: info(name, version, file),
  path: `${name}-${version}-1.noarch.rpm`,
  size: 1,
  sha256: sha.repeat(64),
  fileTime: 1,
});

/** A member's three documents, from repodata built by Depot itself. */
function docsOf(entries: PackageEntry[]) {
  const built = buildRepodata(entries, 1);
  const locations = repomdLocations(new TextDecoder().decode(built.get('repomd.xml')));
  const text = (type: string) =>
    gunzipSync(built.get((locations.get(type) as string).replace('repodata/', '')) as Uint8Array).toString();
  return { primary: text('primary'), filelists: text('filelists'), other: text('other') };
}

describe('proxy repodata merge', () => {
  it('the first member listing a package wins, with its own file list; the rest are added', () => {
    const first = docsOf([entry('a', '1.0', 'a', '/first/a')]);
    const second = docsOf([entry('a', '1.0', 'b', '/second/a'), entry('b', '2.0', 'c', '/second/b')]);
    const merged = mergeDocs([first, second], 1000);
    const locations = repomdLocations(new TextDecoder().decode(merged.get('repomd.xml')));
    const text = (type: string) =>
      gunzipSync(merged.get((locations.get(type) as string).replace('repodata/', '')) as Uint8Array).toString();
    expect(text('primary')).toContain('packages="2"');
    expect(text('primary').match(/<checksum[^>]*>([0-9a-f]+)</g)).toEqual([
      `<checksum type="sha256" pkgid="YES">${'a'.repeat(64)}<`,
      `<checksum type="sha256" pkgid="YES">${'c'.repeat(64)}<`,
    ]);
    expect(text('filelists')).toContain('/first/a');
    expect(text('filelists')).not.toContain('/second/a');
    expect(text('filelists')).toContain('/second/b');
    expect(text('other')).toContain('packages="2"');
  });
});
