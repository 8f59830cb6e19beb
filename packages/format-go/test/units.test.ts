import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGoMod } from '../src/go-mod.js';
import { decodeCase, encodeCase, isValidModulePath, pathMajor } from '../src/module-path.js';
import { parseGoPath } from '../src/paths.js';
import { isPseudoVersion, parseVersion, sortVersions } from '../src/version.js';
import { pickLatest, renderList } from '../src/versions.js';
import { badFilePath, checkModuleZip, GO_ZIP_LIMITS } from '../src/zip-check.js';
import { moduleZip } from './helpers.js';

describe('path encoding', () => {
  it('round-trips upper case through !-case', () => {
    expect(encodeCase('github.com/Azure/Go-Sdk')).toBe('github.com/!azure/!go-!sdk');
    expect(decodeCase('github.com/!azure/!go-!sdk')).toBe('github.com/Azure/Go-Sdk');
  });
  it('refuses upper case and a dangling !', () => {
    expect(decodeCase('github.com/Azure')).toBeNull();
    expect(decodeCase('github.com/!')).toBeNull();
    expect(decodeCase('github.com/!1')).toBeNull();
  });
  it('parses GOPROXY paths', () => {
    expect(parseGoPath('example.com/!m/@v/v1.0.0-!r!c1.info')).toMatchObject({
      kind: 'file',
      module: 'example.com/M',
      version: 'v1.0.0-RC1',
      ext: 'info',
    });
    expect(parseGoPath('example.com/m/v2/@latest')).toMatchObject({ kind: 'latest', module: 'example.com/m/v2' });
    expect(parseGoPath('example.com/m/@v/list')).toMatchObject({ kind: 'list' });
    expect(parseGoPath('example.com/m/@v/v1.0.0.tar')).toBeNull();
    expect(parseGoPath('nodot/@v/list')).toBeNull();
  });
  it('validates module paths and reads the major suffix', () => {
    expect(isValidModulePath('example.com/a/b')).toBe(true);
    expect(isValidModulePath('example.com/../b')).toBe(false);
    expect(isValidModulePath('example.com//b')).toBe(false);
    expect(pathMajor('example.com/m/v2')).toBe(2);
    expect(pathMajor('example.com/m')).toBeNull();
    expect(pathMajor('gopkg.in/yaml.v3')).toBe(3);
  });
});

describe('versions', () => {
  it('accepts canonical semver, pseudo-versions and +incompatible only', () => {
    expect(parseVersion('v1.2.3')).not.toBeNull();
    expect(parseVersion('v0.0.0-20240101120000-abcdefabcdef')).not.toBeNull();
    expect(parseVersion('v3.0.0+incompatible')).not.toBeNull();
    for (const bad of ['1.2.3', 'v1.2', 'v1', 'v01.2.3', 'v1.2.3+build', 'v1.2.3-01', 'latest']) {
      expect(parseVersion(bad), bad).toBeNull();
    }
    expect(isPseudoVersion('v0.0.0-20240101120000-abcdefabcdef')).toBe(true);
    expect(isPseudoVersion('v1.2.4-0.20240101120000-abcdefabcdef')).toBe(true);
    expect(isPseudoVersion('v1.2.3-rc.1')).toBe(false);
  });
  it('orders as the go command does', () => {
    expect(
      sortVersions([
        'v1.10.0',
        'v1.2.0',
        'v1.2.0-rc.1',
        'v1.2.0-beta.2',
        'v1.2.0-beta.10',
        'v0.0.0-20240101120000-abcdefabcdef',
      ]),
    ).toEqual([
      'v0.0.0-20240101120000-abcdefabcdef',
      'v1.2.0-beta.2',
      'v1.2.0-beta.10',
      'v1.2.0-rc.1',
      'v1.2.0',
      'v1.10.0',
    ]);
  });
  it('lists without pseudo-versions and picks latest without retracted versions', () => {
    const versions = ['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1', 'v0.0.0-20240101120000-abcdefabcdef'];
    expect(renderList(versions)).toBe('v1.0.0\nv1.1.0\nv1.2.0-rc.1\n');
    expect(pickLatest(versions, [])).toBe('v1.1.0');
    expect(pickLatest(versions, [{ low: 'v1.1.0', high: 'v1.1.0' }])).toBe('v1.0.0');
    expect(pickLatest(['v1.2.0-rc.1', 'v0.0.0-20240101120000-abcdefabcdef'], [])).toBe('v1.2.0-rc.1');
    expect(pickLatest(['v0.0.0-20240101120000-abcdefabcdef'], [])).toBe('v0.0.0-20240101120000-abcdefabcdef');
  });
  it('reads module and retract directives', () => {
    const mod = parseGoMod(
      'module "example.com/m" // c\n\nretract v1.0.1\nretract (\n  [v1.0.2, v1.0.4] // bad\n  v1.0.9\n)\n',
    );
    expect(mod.module).toBe('example.com/m');
    expect(mod.retract).toEqual([
      { low: 'v1.0.1', high: 'v1.0.1' },
      { low: 'v1.0.2', high: 'v1.0.4' },
      { low: 'v1.0.9', high: 'v1.0.9' },
    ]);
  });
});

/** Checks `zip` as an upload would: spooled to a file first. */
function check(zip: Uint8Array, m: string, v: string, limits = GO_ZIP_LIMITS) {
  const path = join(mkdtempSync(join(tmpdir(), 'depot-go-zip-')), 'upload.zip');
  writeFileSync(path, zip);
  return checkModuleZip(path, zip.byteLength, m, v, limits);
}

describe('module zip rules', () => {
  const m = 'example.com/m';
  const v = 'v1.0.0';
  it('returns the root go.mod of a valid zip', async () => {
    const zip = moduleZip(m, v, { 'go.mod': `module ${m}\n`, 'a/b.go': 'package a\n' });
    await expect(check(zip, m, v)).resolves.toEqual({ goMod: `module ${m}\n`, files: 2 });
  });
  it.each([
    ['a file outside the prefix', { [`${m}@${v}/go.mod`]: 'module x', 'other/x.go': 'x' }],
    ['a ../ path', { [`${m}@${v}/../evil.go`]: 'x' }],
    ['paths differing in case', { [`${m}@${v}/A.go`]: 'x', [`${m}@${v}/a.go`]: 'y' }],
    ['a nested module', { [`${m}@${v}/sub/go.mod`]: 'module x', [`${m}@${v}/sub/x.go`]: 'x' }],
  ])('refuses %s', async (_what, files) => {
    await expect(check(moduleZip(m, v, files, true), m, v)).rejects.toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
  it('refuses an oversized go.mod', async () => {
    const zip = moduleZip(m, v, { 'go.mod': `module ${m}\n${'// x\n'.repeat(100)}` });
    await expect(check(zip, m, v, { ...GO_ZIP_LIMITS, maxGoModBytes: 100 })).rejects.toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
  });
  it('refuses garbage', async () => {
    await expect(check(new TextEncoder().encode('not a zip'), m, v)).rejects.toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
  it('names bad file paths', () => {
    expect(badFilePath('a/../b')).not.toBeNull();
    expect(badFilePath('a//b')).not.toBeNull();
    expect(badFilePath('con.go')).not.toBeNull();
    expect(badFilePath('a/b.go')).toBeNull();
  });
});
