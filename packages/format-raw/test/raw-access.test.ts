import { createHash } from 'node:crypto';
import { isDepotError, type Principal } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { depotPlugin, RAW_CHALLENGE, rawFormat } from '../src/index.js';
import { rawHarnesses } from './raw-helpers.js';

const code = (res: { json(): unknown }): unknown => (res.json() as { error: { code: string } }).error.code;

/** Expects `fn` to throw a DepotError with `code` whose details name `field`. */
function expectBadField(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (err) {
    expect(isDepotError(err, 'BAD_REQUEST')).toBe(true);
    expect(isDepotError(err) ? err.details : undefined).toEqual({ field });
    return;
  }
  expect.fail('expected BAD_REQUEST');
}

describe('raw permissions', () => {
  const open = rawHarnesses();
  const denyAll = (anonymous: boolean): Principal => ({
    username: 'nobody',
    anonymous,
    admin: false,
    can: () => false,
  });

  it('answers 401 with the Basic challenge to anonymous callers and 403 to others', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    await h.request({ method: 'PUT', repo: 'files', path: 'a.txt', body: 'a' });
    const cases = [
      ['PUT', 'anonymous', 401],
      ['PUT', 'reader', 403],
      ['DELETE', 'anonymous', 401],
      ['DELETE', 'reader', 403],
      ['GET', denyAll(true), 401],
      ['HEAD', denyAll(true), 401],
      ['GET', denyAll(false), 403],
    ] as const;
    for (const [method, principal, status] of cases) {
      const res = await h.request({
        method,
        repo: 'files',
        path: 'a.txt',
        principal,
        body: method === 'PUT' ? 'b' : undefined,
      });
      expect([method, res.status]).toEqual([method, status]);
      expect(res.headers['www-authenticate']).toBe(status === 401 ? RAW_CHALLENGE : undefined);
      if (method !== 'HEAD') expect(code(res)).toBe(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
    }
    const still = await h.request({ method: 'GET', repo: 'files', path: 'a.txt', principal: 'reader' });
    expect([still.status, still.text()]).toEqual([200, 'a']);
  });

  it('asks the principal about the repository being addressed', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'open' });
    await h.createRepo({ name: 'closed' });
    const onlyOpen: Principal = { username: 'u', anonymous: false, admin: false, can: (_, repo) => repo === 'open' };
    expect((await h.request({ method: 'PUT', repo: 'open', path: 'x', body: 'x', principal: onlyOpen })).status).toBe(
      201,
    );
    expect((await h.request({ method: 'PUT', repo: 'closed', path: 'x', body: 'x', principal: onlyOpen })).status).toBe(
      403,
    );
  });
});

describe('raw uploads with limits and checksums', () => {
  const open = rawHarnesses();

  it('X-Checksum-Sha256: a match stores, a mismatch stores nothing', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'files' });
    const good = createHash('sha256').update('payload').digest('hex');
    const ok = await h.request({
      method: 'PUT',
      repo: 'files',
      path: 'ok.txt',
      body: 'payload',
      headers: { 'X-Checksum-Sha256': good.toUpperCase() },
    });
    expect(ok.status).toBe(201);
    const bad = await h.request({
      method: 'PUT',
      repo: 'files',
      path: 'bad.txt',
      body: 'tampered',
      headers: { 'x-checksum-sha256': good },
    });
    expect([bad.status, code(bad)]).toEqual([400, 'DIGEST_MISMATCH']);
    const malformed = await h.request({
      method: 'PUT',
      repo: 'files',
      path: 'bad.txt',
      body: 'x',
      headers: { 'x-checksum-sha256': 'abc' },
    });
    expect([malformed.status, code(malformed)]).toEqual([400, 'BAD_REQUEST']);
    expect((await h.engine.list('files')).artifacts.map((a) => a.path)).toEqual(['ok.txt']);
  });

  it('maxUploadBytes: a larger body is 413 and stores nothing', async () => {
    const { h } = await open({ format: rawFormat({ maxUploadBytes: 4 }) });
    await h.createRepo({ name: 'files' });
    expect((await h.request({ method: 'PUT', repo: 'files', path: 'small', body: '1234' })).status).toBe(201);
    const big = await h.request({ method: 'PUT', repo: 'files', path: 'big', body: '12345' });
    expect([big.status, code(big)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await h.engine.list('files')).artifacts.map((a) => a.path)).toEqual(['small']);
    expectBadField(() => rawFormat({ maxUploadBytes: 0 }), 'maxUploadBytes');
  });
});

describe('raw Content-Disposition and repository options', () => {
  const open = rawHarnesses();

  it('attachment by default, inline on request, RFC 6266 for awkward names', async () => {
    const { h } = await open();
    await h.createRepo({ name: 'dl' });
    await h.createRepo({ name: 'web', format_options: { content_disposition: 'inline' } });
    const disposition = async (repo: string, path: string) => {
      await h.request({ method: 'PUT', repo, path, body: 'x' });
      return (await h.request({ method: 'GET', repo, path })).headers['content-disposition'];
    };
    expect(await disposition('dl', 'docs/report.pdf')).toBe('attachment; filename="report.pdf"');
    expect(await disposition('web', 'docs/report.pdf')).toBe('inline; filename="report.pdf"');
    expect(await disposition('dl', 'r%C3%A9sum%C3%A9%20%E2%82%AC.pdf')).toBe(
      `attachment; filename="r_sum_ _.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC.pdf`,
    );
    expect(await disposition('dl', 'say%22hi%22%27.txt')).toBe(`attachment; filename="sayhi'.txt"`);
  });

  it('accepts only content_disposition attachment|inline', () => {
    const validate = rawFormat().validateRepositoryOptions;
    if (validate === undefined) return expect.fail('raw validates its options');
    const repo = { name: 'r', repo_type: 'hosted' } as const;
    expect(validate({}, repo)).toEqual({ content_disposition: 'attachment' });
    expect(validate({ content_disposition: 'inline' }, repo)).toEqual({ content_disposition: 'inline' });
    expectBadField(() => validate({ content_disposition: 'download' }, repo), 'content_disposition');
    expectBadField(() => validate({ content_disposition: 1 }, repo), 'content_disposition');
    expectBadField(() => validate({ repodata_depth: 2 }, repo), 'repodata_depth');
  });

  it('exports a depotPlugin manifest that builds the raw format', () => {
    expect(depotPlugin).toMatchObject({ kind: 'format', name: 'raw', apiVersion: 1 });
    const format = depotPlugin.create();
    expect(format.name).toBe('raw');
    expect(format.capabilities.repoTypes).toEqual(['hosted', 'cache', 'proxy']);
  });
});
