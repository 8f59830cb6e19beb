import { describeFormat } from '@depot/testkit';
import { expect } from 'vitest';
import { aptFormat } from '../src/index.js';
import { debFile, debName } from './helpers.js';

const pkg = (name: string): string => `p${name.toLowerCase().replace(/[^a-z0-9+.-]/g, '-')}`;

describeFormat('apt', {
  format: () => aptFormat(),
  artifact: (name, version, variant) => ({ name, version, bytes: debFile(pkg(name), version, 'all', variant) }),
  upload: (h, repo, a) =>
    h.request({ method: 'PUT', repo, path: `pool/${debName(pkg(a.name), a.version)}`, body: a.bytes }),
  async download(h, repo, a) {
    // Through the index, as apt does: the Packages stanza names the pool file.
    const index = await h.request({ method: 'GET', repo, path: 'dists/stable/main/binary-amd64/Packages' });
    if (index.status !== 200) return index;
    const stanza = index
      .text()
      .split('\n\n')
      .find((s) => s.includes(`Package: ${pkg(a.name)}\n`) && s.includes(`Version: ${a.version}\n`));
    const filename = /^Filename: (.+)$/m.exec(stanza ?? '')?.[1];
    if (filename === undefined)
      return h.request({ method: 'GET', repo, path: `pool/main/none/${debName(pkg(a.name), a.version)}` });
    return h.request({ method: 'GET', repo, path: filename });
  },
  async list(h, repo) {
    const out: { name: string; version: string }[] = [];
    for (const a of (await h.engine.list(repo)).artifacts) {
      const m = /\/p([^/_]+)_([^_]+)_all\.deb$/.exec(a.path);
      if (m !== null) out.push({ name: m[1] as string, version: m[2] as string });
    }
    return out;
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'dists/nothing/InRelease' }),
  expectedNotFoundShape(res) {
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  },
  anonymousWrite: { challenge: 'Basic realm="Depot"' },
  duplicatePolicy: { reject: 409 },
});
