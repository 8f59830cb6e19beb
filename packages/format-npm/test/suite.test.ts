import { describeFormat } from '@depot/testkit';
import { expect } from 'vitest';
import { npmFormat } from '../src/index.js';
import { esc, type PackumentJson, packageTgz, publish, tarballRepoPath } from './helpers.js';

describeFormat('npm', {
  format: () => npmFormat(),
  artifact: (name, version, variant) => ({ name, version, bytes: packageTgz(name, version, variant) }),
  upload: (h, repo, artifact) => publish(h, repo, artifact.name, artifact.version, { tgz: artifact.bytes }),
  async download(h, repo, artifact) {
    // The normalization case hands over the raw spelling (`@suite%2fscoped`) to request as is.
    const path = artifact.name.includes('%') ? artifact.name : esc(artifact.name);
    const doc = await h.request({ method: 'GET', repo, path });
    if (doc.status !== 200) return doc;
    const version = doc.json<PackumentJson>().versions[artifact.version];
    if (version === undefined) throw new Error(`version ${artifact.version} missing from the packument`);
    return h.request({ method: 'GET', repo, path: tarballRepoPath(version.dist.tarball, repo) });
  },
  async list(h, repo) {
    const res = await h.request({ method: 'GET', repo, path: '-/v1/search', query: { text: '', size: '250' } });
    const names = res.json<{ objects: { package: { name: string } }[] }>().objects.map((o) => o.package.name);
    const out: { name: string; version: string }[] = [];
    for (const name of names) {
      const doc = (await h.request({ method: 'GET', repo, path: esc(name) })).json<PackumentJson>();
      for (const version of Object.keys(doc.versions)) out.push({ name, version });
    }
    return out;
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'no-such-package' }),
  expectedNotFoundShape(res) {
    expect(res.json<{ error: string }>().error).toEqual(expect.any(String));
  },
  anonymousWrite: { challenge: /Bearer realm="depot"/ },
  normalization: [{ upload: '@suite/scoped', download: '@suite%2fscoped' }],
  duplicatePolicy: { reject: 403 },
});
