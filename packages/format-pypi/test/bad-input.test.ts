import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pypiFormat } from '../src/index.js';
import { makeSdist, makeWheel, makeZip, twineFields, uploadForm } from './fixtures.js';
import { upload } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: pypiFormat() });
  await h.createRepo({ name: 'py' });
});
afterEach(async () => h.close());

async function expectRefused(res: { status: number; json(): unknown }, code: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.json()).toMatchObject({ error: { code } });
  // Nothing half-written: no artifact, no project.
  expect((await h.engine.list('py')).artifacts).toEqual([]);
  const index = await h.request({
    method: 'GET',
    repo: 'py',
    path: 'simple/',
    headers: { accept: 'application/vnd.pypi.simple.v1+json' },
  });
  expect(index.json()).toMatchObject({ projects: [] });
}

describe('pypi upload refuses bad input', () => {
  it('a wheel with ../ inside', async () => {
    const wheel = makeWheel('evil', '1.0', { extra: [{ name: '../../etc/evil.py', data: 'x' }] });
    await expectRefused(await upload(h, 'py', wheel, 'evil', '1.0'), 'BAD_REQUEST');
  });

  it('a wheel with an absolute path or a symlink inside', async () => {
    const abs = makeWheel('evil', '1.0', { extra: [{ name: '/tmp/evil.py', data: 'x' }] });
    await expectRefused(await upload(h, 'py', abs, 'evil', '1.0'), 'BAD_REQUEST');
    const link = makeWheel('evil', '1.0', { extra: [{ name: 'evil/link', data: '/etc/passwd', mode: 0o120777 }] });
    await expectRefused(await upload(h, 'py', link, 'evil', '1.0'), 'BAD_REQUEST');
  });

  it('a file name whose version disagrees with the form', async () => {
    await expectRefused(await upload(h, 'py', makeWheel('pkg', '1.0'), 'pkg', '2.0'), 'BAD_REQUEST');
  });

  it('a wheel whose METADATA names another project or version', async () => {
    await expectRefused(
      await upload(h, 'py', makeWheel('pkg', '1.0', { metadataName: 'other' }), 'pkg', '1.0'),
      'BAD_REQUEST',
    );
    await expectRefused(
      await upload(h, 'py', makeWheel('pkg', '1.0', { metadataVersion: '9.9' }), 'pkg', '1.0'),
      'BAD_REQUEST',
    );
    await expectRefused(
      await upload(h, 'py', makeWheel('pkg', '1.0', { noMetadata: true }), 'pkg', '1.0'),
      'BAD_REQUEST',
    );
  });

  it('a digest that does not match, for each digest twine sends', async () => {
    const wheel = makeWheel('pkg', '1.0');
    const zero = (n: number) => '0'.repeat(n);
    await expectRefused(await upload(h, 'py', wheel, 'pkg', '1.0', { sha256_digest: zero(64) }), 'DIGEST_MISMATCH');
    await expectRefused(await upload(h, 'py', wheel, 'pkg', '1.0', { md5_digest: zero(32) }), 'DIGEST_MISMATCH');
    await expectRefused(await upload(h, 'py', wheel, 'pkg', '1.0', { blake2_256_digest: zero(64) }), 'DIGEST_MISMATCH');
    const right = createHash('sha256').update(wheel.bytes).digest('hex');
    expect((await upload(h, 'py', wheel, 'pkg', '1.0', { sha256_digest: right.toUpperCase() })).status).toBe(200);
  });

  it('a wheel that is not a zip, a truncated zip, and a 0-byte file', async () => {
    const notZip = { filename: 'pkg-1.0-py3-none-any.whl', bytes: Buffer.from('this is not a zip archive at all') };
    await expectRefused(await upload(h, 'py', notZip, 'pkg', '1.0'), 'BAD_REQUEST');
    const whole = makeWheel('pkg', '1.0').bytes;
    const truncated = { filename: 'pkg-1.0-py3-none-any.whl', bytes: whole.subarray(0, whole.length - 30) };
    await expectRefused(await upload(h, 'py', truncated, 'pkg', '1.0'), 'BAD_REQUEST');
    const empty = { filename: 'pkg-1.0.tar.gz', bytes: Buffer.alloc(0) };
    await expectRefused(await upload(h, 'py', empty, 'pkg', '1.0'), 'BAD_REQUEST');
    const fakeSdist = { filename: 'pkg-1.0.tar.gz', bytes: Buffer.from('plain text') };
    await expectRefused(await upload(h, 'py', fakeSdist, 'pkg', '1.0'), 'BAD_REQUEST');
  });

  it('a project name with invalid characters, and a file name that is not a distribution', async () => {
    const wheel = makeWheel('pkg', '1.0');
    await expectRefused(await upload(h, 'py', wheel, 'pkg<script>', '1.0'), 'BAD_REQUEST');
    await expectRefused(await upload(h, 'py', wheel, '../pkg', '1.0'), 'BAD_REQUEST');
    const weird = { filename: '../pkg-1.0-py3-none-any.whl', bytes: wheel.bytes };
    await expectRefused(await upload(h, 'py', weird, 'pkg', '1.0'), 'BAD_REQUEST');
    const exe = { filename: 'pkg-1.0.exe', bytes: wheel.bytes };
    await expectRefused(await upload(h, 'py', exe, 'pkg', '1.0'), 'BAD_REQUEST');
    const zip = makeZip([{ name: 'a', data: 'b' }]);
    await expectRefused(await upload(h, 'py', { filename: 'other-1.0.zip', bytes: zip }, 'pkg', '1.0'), 'BAD_REQUEST');
  });

  it('a body that is not multipart, and a form without :action', async () => {
    const res = await h.request({
      method: 'POST',
      repo: 'py',
      path: '',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await expectRefused(res, 'BAD_REQUEST');
    await expectRefused(
      await upload(h, 'py', makeWheel('pkg', '1.0'), 'pkg', '1.0', { ':action': undefined }),
      'BAD_REQUEST',
    );
  });

  it('an sdist with ../, an absolute path, a link, another name in PKG-INFO, no PKG-INFO, or broken gzip', async () => {
    const cases = [
      makeSdist('pkg', '1.0', { extra: [{ path: 'pkg-1.0/../../evil.py', data: 'x' }] }),
      makeSdist('pkg', '1.0', { extra: [{ path: '/etc/evil.py', data: 'x' }] }),
      makeSdist('pkg', '1.0', { extra: [{ path: 'pkg-1.0/link', type: '2', link: '/etc/passwd' }] }),
      makeSdist('pkg', '1.0', { extra: [{ path: 'pkg-1.0/hard', type: '1', link: '/etc/passwd' }] }),
      makeSdist('pkg', '1.0', { pkgInfoName: 'other' }),
      makeSdist('pkg', '1.0', { noPkgInfo: true }),
    ];
    for (const sdist of cases) await expectRefused(await upload(h, 'py', sdist, 'pkg', '1.0'), 'BAD_REQUEST');
    const whole = makeSdist('pkg', '1.0').bytes;
    const truncated = { filename: 'pkg-1.0.tar.gz', bytes: whole.subarray(0, whole.length - 40) };
    await expectRefused(await upload(h, 'py', truncated, 'pkg', '1.0'), 'BAD_REQUEST');
    expect((await upload(h, 'py', makeSdist('pkg', '1.0'), 'pkg', '1.0')).status).toBe(200);
  });

  it('a body that breaks off in the middle of the file: an error, no temporary file left, nothing stored', async () => {
    const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('depot-pypi-')).length;
    const before = spools();
    const wheel = makeWheel('pkg', '1.0');
    const form = uploadForm(wheel, twineFields(wheel, 'pkg', '1.0'));
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield form.body.subarray(0, form.body.length - 200);
      throw new Error('client went away');
    }
    const res = await h.request({
      method: 'POST',
      repo: 'py',
      path: '',
      headers: { 'content-type': form.contentType },
      body: broken(),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await h.engine.list('py')).artifacts).toEqual([]);
    expect(spools()).toBe(before);
  });
});
