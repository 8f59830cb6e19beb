import { describeFormat } from '@depot/testkit';
import { expect } from 'vitest';
import { cargoFormat } from '../src/index.js';
import { crateFile, publish } from './helpers.js';

const crateName = (name: string): string => `c${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

describeFormat('cargo', {
  format: () => cargoFormat(),
  artifact: (name, version, variant) => ({ name, version, bytes: crateFile(crateName(name), version, variant) }),
  upload: (h, repo, a) => publish(h, repo, crateName(a.name), a.version, a.bytes),
  download: (h, repo, a) =>
    h.request({ method: 'GET', repo, path: `api/v1/crates/${crateName(a.name)}/${a.version}/download` }),
  async list(h, repo) {
    const out: { name: string; version: string }[] = [];
    for (const a of (await h.engine.list(repo)).artifacts) {
      const m = /^crates\/c([^/]+)\/c[^/]+-(\d+\.\d+\.\d+)(?:-[0-9a-f]{64})?\.crate$/.exec(a.path);
      if (m !== null) out.push({ name: m[1] as string, version: m[2] as string });
    }
    return out;
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'index/no/th/nothing' }),
  expectedNotFoundShape(res) {
    expect(res.json<{ errors: { detail: string }[] }>()).toMatchObject({ errors: [{ detail: expect.any(String) }] });
  },
  anonymousWrite: { challenge: /^Cargo login_url="http/ },
  duplicatePolicy: { reject: 400 },
  upstreamUrl: (server, origin) => `${server.url}/repository/${origin}/index/`,
});
