import { describeFormat } from '@depot/testkit';
import { expect } from 'vitest';
import { helmFormat } from '../src/index.js';
import { fetchIndex, helmPull } from './client.js';
import { chartTgz } from './helpers.js';

describeFormat('helm', {
  format: () => helmFormat(),
  artifact: (name, version, variant) => ({ name, version, bytes: chartTgz(name, version, variant) }),
  upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: `${a.name}-${a.version}.tgz`, body: a.bytes }),
  download: (h, repo, a) => helmPull(h, repo, a.name, a.version),
  remove: (h, repo, a) => h.request({ method: 'DELETE', repo, path: `api/charts/${a.name}/${a.version}` }),
  async list(h, repo) {
    const index = await fetchIndex(h, repo);
    return Object.values(index.entries).flatMap((list) => list.map((e) => ({ name: e.name, version: e.version })));
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'no-such-chart-1.0.0.tgz' }),
  expectedNotFoundShape(res) {
    expect(res.json<{ error: string; code: string }>()).toMatchObject({ error: expect.any(String), code: 'NOT_FOUND' });
  },
  anonymousWrite: { challenge: 'Basic realm="depot"' },
  duplicatePolicy: { reject: 409 },
});
