import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { type HarnessResponse, makeTgz, packageTgz, publish, publishBody, sri } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: npmFormat({ maxPublishBytes: 1024 * 1024 }) });
  await h.createRepo({ name: 'r' });
});
afterEach(() => h.close());

/** Nothing at all may be stored after a refused publish. */
async function expectNothingStored(): Promise<void> {
  expect((await h.engine.list('r')).artifacts).toEqual([]);
  expect((await h.kv.list({ prefix: 'fmt/npm/' })).entries).toEqual([]);
}

function expectNpmError(res: HarnessResponse, status: number): void {
  expect(res.status, res.text()).toBe(status);
  expect(res.json<{ error: string }>()).toEqual({ error: expect.any(String), code: expect.any(String) });
}

describe('npm publish refuses bad input and stores nothing', () => {
  it('tarball integrity or shasum mismatch → 400', async () => {
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { integrity: sri(new Uint8Array([1, 2, 3])) }), 400);
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { shasum: '0'.repeat(40) }), 400);
    await expectNothingStored();
  });

  it('version key ≠ version field, body name ≠ URL name → 400', async () => {
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { versionKey: '2.0.0' }), 400);
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { bodyName: 'q' }), 400);
    await expectNothingStored();
  });

  it('tarball package.json that disagrees with the document (manifest confusion) → 400', async () => {
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { tgz: packageTgz('other', '1.0.0') }), 400);
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { tgz: packageTgz('p', '9.9.9') }), 400);
    await expectNothingStored();
  });

  it('tarballs with traversal, symlinks, duplicates or bad gzip → 400', async () => {
    const pkg = { path: 'package/package.json', body: JSON.stringify({ name: 'p', version: '1.0.0' }) };
    for (const tgz of [
      makeTgz([pkg, { path: '../../evil', body: 'x' }]),
      makeTgz([pkg, { path: '/etc/cron.d/x', body: 'x' }]),
      makeTgz([pkg, { path: 'package/link', type: '2', link: '/etc/passwd' }]),
      makeTgz([pkg, pkg]),
      new Uint8Array([0x1f, 0x8b, 1, 2, 3]),
    ]) {
      expectNpmError(await publish(h, 'r', 'p', '1.0.0', { tgz }), 400);
    }
    await expectNothingStored();
  });

  it('attachment length that disagrees, a huge length claim, invalid base64, oversized body', async () => {
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { length: 3 }), 400);
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { length: 2 * 1024 * 1024 * 1024 }), 413);
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { data: '!!!not base64!!!' }), 400);
    const claimed = await h.request({
      method: 'PUT',
      repo: 'r',
      path: 'p',
      headers: { 'content-length': String(2 ** 31) },
      body: '{}',
    });
    expectNpmError(claimed, 413);
    const big = JSON.stringify(
      publishBody('p', '1.0.0', packageTgz('p', '1.0.0'), { data: 'A'.repeat(2 * 1024 * 1024) }),
    );
    expectNpmError(await h.request({ method: 'PUT', repo: 'r', path: 'p', body: big }), 413);
    await expectNothingStored();
  });

  it('invalid package names → 400', async () => {
    for (const name of [
      'Upper',
      '.dot',
      '_under',
      'a'.repeat(215),
      'node_modules',
      'favicon.ico',
      'sp ace',
      '@Scope/x',
      '@s/.x',
    ]) {
      const body = JSON.stringify(publishBody(name, '1.0.0', packageTgz(name, '1.0.0')));
      expectNpmError(await h.request({ method: 'PUT', repo: 'r', path: encodeURIComponent(name), body }), 400);
    }
    await expectNothingStored();
  });

  it('invalid versions and tags, prototype keys, more than one version → 400', async () => {
    expectNpmError(await publish(h, 'r', 'p', 'v1.0.0', { tgz: packageTgz('p', 'v1.0.0') }), 400);
    expectNpmError(await publish(h, 'r', 'p', '1.0.0', { tag: '1.x' }), 400);
    const poisoned = JSON.stringify(publishBody('p', '1.0.0', packageTgz('p', '1.0.0'))).replace(
      '"access":null',
      '"__proto__":{"isAdmin":true}',
    );
    expectNpmError(await h.request({ method: 'PUT', repo: 'r', path: 'p', body: poisoned }), 400);
    const two = publishBody('p', '1.0.0', packageTgz('p', '1.0.0'));
    const versions = two.versions as Record<string, unknown>;
    versions['1.0.1'] = { ...(versions['1.0.0'] as object), version: '1.0.1' };
    expectNpmError(await h.request({ method: 'PUT', repo: 'r', path: 'p', body: JSON.stringify(two) }), 400);
    expectNpmError(await h.request({ method: 'PUT', repo: 'r', path: 'p', body: 'not json' }), 400);
    await expectNothingStored();
  });

  it('traversal in a tarball name → 400 before any lookup', async () => {
    for (const path of ['p/-/..%2fx.tgz', 'p/-/%2e%2e', '../x.tgz', 'p/-/.hidden.tgz']) {
      const res = await h.request({ method: 'GET', repo: 'r', path });
      expect([400, 404], `${path}: ${res.status}`).toContain(res.status);
      expect(res.json<{ error: string }>().error).toEqual(expect.any(String));
    }
    expect((await h.request({ method: 'GET', repo: 'r', path: 'p/-/%2e%2e%2fx.tgz' })).status).toBe(400);
  });
});

describe('npm permissions', () => {
  it('anonymous publish → 401 with the Bearer challenge; a reader → 403; anonymous whoami → 401', async () => {
    const anon = await h.as('anonymous').request({ method: 'PUT', repo: 'r', path: 'p', body: '{}' });
    expect(anon.status).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Bearer realm="depot"/);
    const reader = await publish(h.as('reader'), 'r', 'p', '1.0.0');
    expect(reader.status).toBe(403);
    expect((await h.as('anonymous').request({ method: 'GET', repo: 'r', path: '-/whoami' })).status).toBe(401);
    await expectNothingStored();
  });
});
