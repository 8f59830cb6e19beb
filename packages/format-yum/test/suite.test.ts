import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFormat } from '@depot/testkit';
import { describe, expect, it } from 'vitest';
import { yumFormat } from '../src/index.js';
import { buildRpm, hasRpmTools } from './rpmbuild.js';

const work = mkdtempSync(join(tmpdir(), 'depot-yum-suite-'));
/** RPM name of a suite name, and back (the suite lists by its own names). */
const rpmName = (name: string): string => `p${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
const original = new Map<string, string>();
const file = (name: string, version: string) => `${rpmName(name)}-${version}-1.noarch.rpm`;

if (hasRpmTools()) {
  describeFormat('yum', {
    format: () => yumFormat(),
    artifact(name, version, variant) {
      original.set(rpmName(name), name);
      const path = buildRpm(join(work, `${rpmName(name)}-${version}-${variant}`), {
        name: rpmName(name),
        version,
        release: '1',
        files: { [`/usr/share/${rpmName(name)}/variant`]: `variant ${variant}\n` },
      });
      return { name, version, bytes: readFileSync(path) };
    },
    upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: `pkgs/${file(a.name, a.version)}`, body: a.bytes }),
    download: (h, repo, a) => h.request({ method: 'GET', repo, path: `pkgs/${file(a.name, a.version)}` }),
    remove: (h, repo, a) => h.request({ method: 'DELETE', repo, path: `pkgs/${file(a.name, a.version)}` }),
    async list(h, repo) {
      // Through the repodata, as dnf sees it.
      const repomd = await h.request({ method: 'GET', repo, path: 'repodata/repomd.xml' });
      const href = /href="repodata\/([^"]+-primary\.xml\.gz)"/.exec(repomd.text())?.[1];
      if (href === undefined) return [];
      const { gunzipSync } = await import('node:zlib');
      const primary = gunzipSync((await h.request({ method: 'GET', repo, path: `repodata/${href}` })).body).toString();
      return [...primary.matchAll(/<name>([^<]+)<\/name>[\s\S]*?<version epoch="0" ver="([^"]+)"/g)].map((m) => ({
        name: original.get(m[1] as string) ?? (m[1] as string),
        version: m[2] as string,
      }));
    },
    unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'repodata/nothing.xml' }),
    expectedNotFoundShape(res) {
      expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    },
    anonymousWrite: { challenge: 'Basic realm="Depot"' },
    duplicatePolicy: { reject: 409 },
  });
} else {
  describe('yum conformance suite', () => {
    it.runIf(process.getuid?.() === 0)('needs rpmbuild (scripts/install-test-deps.sh)', () => {
      throw new Error('rpmbuild, rpm and createrepo_c are not installed');
    });
  });
}
