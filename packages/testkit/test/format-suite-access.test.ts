import type { AccessRule, Format, FormatRequest, FormatResponse } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { describeFormat, type FormatSuiteOptions } from '../src/format-suite.js';
import { readOnlyDeleteIsRefused, readOnlyUploadIsRefused } from '../src/internal/format-suite-access.js';
import { harnessFactory } from '../src/internal/format-suite-support.js';

/**
 * A format whose handlers check nothing at all: uploads, downloads and deletes whoever asks.
 * `access` is what it declares to core's dispatch (nothing by default).
 */
function carelessFormat(access?: (req: FormatRequest) => AccessRule | undefined): Format {
  return {
    name: 'careless',
    capabilities: { repoTypes: ['hosted'] },
    init: (ctx) => ({
      ...(access === undefined ? {} : { access }),
      async handle(req): Promise<FormatResponse> {
        if (req.method === 'PUT') {
          await ctx.engine.put(req.repo.name, req.path, req.body);
          return { status: 201 };
        }
        if (req.method === 'DELETE') {
          await ctx.engine.delete(req.repo.name, req.path);
          return { status: 204 };
        }
        const read = await ctx.engine.get(req.repo.name, req.path);
        if (read === null) return { status: 404, body: JSON.stringify({ error: { code: 'NOT_FOUND' } }) };
        return { status: 200, headers: { 'content-length': String(read.record.size) }, body: read.body };
      },
    }),
  };
}

const suite = (format: () => Format): FormatSuiteOptions => ({
  format,
  upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: `${a.name}/${a.version}`, body: a.bytes }),
  download: (h, repo, a) => h.request({ method: 'GET', repo, path: `${a.name}/${a.version}` }),
  remove: (h, repo, a) => h.request({ method: 'DELETE', repo, path: `${a.name}/${a.version}` }),
  async list(h, repo) {
    const page = await h.engine.list(repo);
    return page.artifacts.map((a) => {
      const [name = '', version = ''] = a.path.split('/');
      return { name, version };
    });
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'never/1.0' }),
  expectedNotFoundShape: (res) => expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } }),
});

// Handlers that never check still pass: core's dispatch refuses before they run.
describeFormat(
  'careless (handlers never check)',
  suite(() => carelessFormat()),
);

describe('describeFormat catches a format that declares mutating routes public', () => {
  // Wrong on purpose: uploads and deletes declared public, so nothing refuses a read-only caller.
  const wronglyPublic = suite(() => carelessFormat((req) => (req.method === 'GET' ? undefined : 'public')));
  const open = harnessFactory(wronglyPublic);

  it('the read-only upload case fails', async () => {
    await expect(readOnlyUploadIsRefused(wronglyPublic, open)).rejects.toThrow(/read-only upload: expected 403/);
  });

  it('the read-only delete case fails', async () => {
    await expect(readOnlyDeleteIsRefused(wronglyPublic, open)).rejects.toThrow(/read-only delete: expected 403/);
  });
});
