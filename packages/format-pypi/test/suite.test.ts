import { describeFormat } from '@depot/testkit';
import { expect } from 'vitest';
import { pypiFormat } from '../src/index.js';
import { normalizeName } from '../src/names.js';
import { makeWheel } from './fixtures.js';
import { downloadFile, type JsonPage, upload } from './helpers.js';

const wheelName = (name: string, version: string): string => makeWheel(name, version).filename;

describeFormat('pypi', {
  format: () => pypiFormat(),
  artifact: (name, version, variant) => ({ name, version, bytes: makeWheel(name, version, { variant }).bytes }),
  upload: (h, repo, a) =>
    upload(h, repo, { filename: wheelName(a.name, a.version), bytes: Buffer.from(a.bytes) }, a.name, a.version),
  download: (h, repo, a) => downloadFile(h, repo, normalizeName(a.name), wheelName(a.name, a.version)),
  remove: (h, repo, a) => h.request({ method: 'DELETE', repo, path: `pypi/${a.name}/${a.version}` }),
  async list(h, repo) {
    const index = await h.request({
      method: 'GET',
      repo,
      path: 'simple/',
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    });
    const out: { name: string; version: string }[] = [];
    for (const { name } of index.json<{ projects: { name: string }[] }>().projects) {
      const page = await h.request({
        method: 'GET',
        repo,
        path: `simple/${normalizeName(name)}/`,
        headers: { accept: 'application/vnd.pypi.simple.v1+json' },
      });
      for (const version of page.json<JsonPage>().versions) out.push({ name, version });
    }
    return out;
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'simple/no-such-project/' }),
  expectedNotFoundShape: (res) => expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } }),
  anonymousWrite: { challenge: 'Basic realm="Depot"' },
  normalization: [{ upload: 'Suite_Norm.Name', download: 'suite-norm-name' }],
  duplicatePolicy: { reject: 400 },
  upstreamUrl: (server, origin) => `${server.url}/repository/${origin}/simple/`,
});
