import { DepotError, type Format, type FormatRequest, type FormatResponse } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { describeFormat, type FormatSuiteOptions } from '../src/format-suite.js';
import { harnessFactory } from '../src/internal/format-suite-support.js';
import { unreadableMemberIsSkipped } from '../src/internal/format-suite-topology.js';

/**
 * A second, deliberately different protocol for the suite itself: immutable versions (409 on
 * re-upload), lower-case names, its own 404 shape `{"missing":path}` and a Bearer challenge. Keeps
 * describeFormat honest beyond the raw format's choices.
 */
function ledgerFormat(engineOf: 'request' | 'context' = 'request'): Format {
  const path = (req: FormatRequest): string => req.path.toLowerCase();
  return {
    name: 'ledger',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    init: (ctx) => ({
      async handle(req): Promise<FormatResponse> {
        // `context` is the mistake the suite must catch: the system engine serving a request.
        const engine = engineOf === 'request' ? req.engine : ctx.engine;
        if (req.method === 'PUT') {
          if (!req.principal.can('write', req.repo.name)) throw new DepotError('UNAUTHORIZED', 'login');
          await engine.put(req.repo.name, path(req), req.body, { overwrite: false });
          return { status: 201 };
        }
        const read = await engine.get(req.repo.name, path(req));
        if (read === null) return { status: 404, body: JSON.stringify({ missing: req.path }) };
        return { status: 200, headers: { 'content-length': String(read.record.size) }, body: read.body };
      },
      renderError: (err) => ({ status: err.status, body: JSON.stringify({ failed: err.code }) }),
      challenge: () => 'Bearer realm="ledger"',
    }),
  };
}

const ledgerSuite = (format: () => Format): FormatSuiteOptions => ({
  format,
  upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: `${a.name}/${a.version}`, body: a.bytes }),
  download: (h, repo, a) => h.request({ method: 'GET', repo, path: `${a.name}/${a.version}` }),
  async list(h, repo) {
    const page = await h.engine.list(repo);
    return page.artifacts.map((a) => {
      const [name = '', version = ''] = a.path.split('/');
      return { name, version };
    });
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'never/1.0' }),
  expectedNotFoundShape: (res) => expect(res.json()).toEqual({ missing: 'never/1.0' }),
  anonymousWrite: { challenge: /^Bearer / },
  normalization: [{ upload: 'Mixed-Case', download: 'mixed-case' }],
  duplicatePolicy: { reject: 409 },
});

describeFormat('ledger (testkit self-test)', ledgerSuite(ledgerFormat));

describe('describeFormat catches a format that serves requests with the system engine', () => {
  const careless = ledgerSuite(() => ledgerFormat('context'));
  const open = harnessFactory(careless);

  it('the unreadable-proxy-member case fails', async () => {
    await expect(unreadableMemberIsSkipped(careless, open)).rejects.toThrow(/unreadable member.*expected 404, got 200/);
  });
});
