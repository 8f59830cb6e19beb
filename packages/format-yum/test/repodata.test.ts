import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRepodata, type PackageEntry } from '../src/repodata.js';
import { readRpm } from '../src/rpm.js';
import { buildRpm, createrepo, hasRpmTools, LAB_APP, LAB_TOOL } from './rpmbuild.js';

const COMPARE = fileURLToPath(new URL('./compare-repodata.py', import.meta.url));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.runIf(hasRpmTools() || process.getuid?.() === 0)(
  'RPM headers and repodata (rpmbuild, createrepo_c as the oracle)',
  () => {
    let dir: string;
    let rpms: string[];
    beforeAll(() => {
      if (!hasRpmTools()) throw new Error('rpmbuild, rpm and createrepo_c are needed (scripts/install-test-deps.sh)');
      dir = mkdtempSync(join(tmpdir(), 'depot-yum-'));
      rpms = [buildRpm(dir, LAB_TOOL), buildRpm(dir, LAB_APP)];
    }, 60_000);
    afterAll(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('reads name, EVR, arch, sizes and the header range as rpm itself does', async () => {
      for (const file of rpms) {
        const info = await readRpm(file);
        const q = (fmt: string) => execFileSync('rpm', ['-qp', '--qf', fmt, file], { encoding: 'utf8' });
        expect(`${info.name} ${info.version} ${info.release} ${info.arch}`).toBe(
          q('%{NAME} %{VERSION} %{RELEASE} %{ARCH}'),
        );
        expect(info.epoch).toBe(q('%{EPOCH}').replace('(none)', '0'));
        expect(String(info.installedSize)).toBe(q('%{SIZE}'));
        expect(String(info.buildTime)).toBe(q('%{BUILDTIME}'));
        expect(info.files.map((f) => f.path).sort()).toEqual(q('[%{FILENAMES}\\n]').trim().split('\n').sort());
      }
    });

    it('primary, filelists and other agree with createrepo_c field by field', async () => {
      const ours = join(dir, 'ours');
      const theirs = join(dir, 'theirs');
      mkdirSync(join(ours, 'repodata'), { recursive: true });
      mkdirSync(theirs, { recursive: true });
      const entries: PackageEntry[] = [];
      for (const file of rpms) {
        copyFileSync(file, join(theirs, basename(file)));
        const bytes = readFileSync(file);
        entries.push({
          info: await readRpm(file),
          path: basename(file),
          size: statSync(file).size,
          sha256: sha256(bytes),
          fileTime: 1,
        });
      }
      for (const [name, bytes] of buildRepodata(entries, 1_700_000_000))
        writeFileSync(join(ours, 'repodata', name), bytes);
      createrepo(theirs);
      const norm = (d: string) =>
        JSON.parse(execFileSync('python3', [COMPARE, join(d, 'repodata')], { encoding: 'utf8' }));
      expect(norm(ours)).toEqual(norm(theirs));
    });

    it('refuses what is not an RPM: bad magic, a truncated header, a header claiming millions of entries', async () => {
      const good = readFileSync(rpms[0] as string);
      const cases: [string, Buffer][] = [
        ['bad magic', Buffer.concat([Buffer.from('not an rpm'), good.subarray(10)])],
        ['truncated', good.subarray(0, 200)],
        [
          'huge',
          (() => {
            const b = Buffer.from(good);
            b.writeUInt32BE(50_000_000, 96 + 8);
            return b;
          })(),
        ],
      ];
      for (const [name, bytes] of cases) {
        const path = join(dir, `${name}.rpm`);
        writeFileSync(path, bytes);
        await expect(readRpm(path), name).rejects.toMatchObject({
          code: 'BAD_REQUEST',
          message: expect.stringContaining('not a valid RPM'),
        });
      }
    });
  },
);
