import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether rpmbuild, rpm and createrepo_c are installed (scripts/install-test-deps.sh installs them). */
export const hasRpmTools = (): boolean =>
  ['rpmbuild', 'rpm', 'createrepo_c'].every((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);

/** A test package: a spec body after the preamble lines it generates. */
export interface TestPackage {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  /** Extra preamble lines (Requires:, Provides:, Epoch: …). */
  readonly preamble?: readonly string[];
  /** Files to install: path → content (directories end with `/`). */
  readonly files: Readonly<Record<string, string>>;
  readonly changelog?: readonly string[];
}

/** Builds a noarch RPM with the real rpmbuild under `dir`; returns the .rpm path. */
export function buildRpm(dir: string, pkg: TestPackage): string {
  const top = join(dir, 'rpmbuild');
  mkdirSync(top, { recursive: true });
  const install = Object.entries(pkg.files)
    .map(([path, content]) =>
      path.endsWith('/')
        ? `mkdir -p %{buildroot}${path}`
        : `mkdir -p $(dirname %{buildroot}${path}) && printf '%s' '${content.replace(/'/g, '')}' > %{buildroot}${path}`,
    )
    .join('\n');
  const files = Object.keys(pkg.files)
    .map((p) => (p.endsWith('/') ? `%dir ${p.slice(0, -1)}` : p))
    .join('\n');
  const spec = [
    `Name: ${pkg.name}`,
    `Version: ${pkg.version}`,
    `Release: ${pkg.release}`,
    `Summary: ${pkg.name} & friends <test>`,
    'License: MIT',
    'URL: https://example.com/lab',
    'BuildArch: noarch',
    'AutoReqProv: no',
    ...(pkg.preamble ?? []),
    '%description',
    `The ${pkg.name} package, built for Depot's tests.`,
    '%install',
    install,
    '%files',
    files,
    ...(pkg.changelog === undefined ? [] : ['%changelog', ...pkg.changelog]),
    '',
  ].join('\n');
  const specPath = join(dir, `${pkg.name}.spec`);
  writeFileSync(specPath, spec);
  execFileSync('rpmbuild', ['--define', `_topdir ${top}`, '-bb', specPath], { stdio: 'pipe' });
  const out = join(top, 'RPMS', 'noarch');
  const file = readdirSync(out).find((f) => f.startsWith(`${pkg.name}-${pkg.version}-${pkg.release}.`));
  if (file === undefined) throw new Error(`rpmbuild produced no ${pkg.name} package`);
  return join(out, file);
}

/** The lab pair: `lab-tool` ships /usr/bin/lab-tool; `lab-app` requires that file. */
export const LAB_TOOL: TestPackage = {
  name: 'lab-tool',
  version: '1.2',
  release: '3',
  preamble: [
    'Provides: labby = 1.2-3',
    'Conflicts: old-lab < 1.0',
    'Obsoletes: lab-legacy <= 0.9',
    'Recommends: lab-docs',
  ],
  files: {
    '/usr/bin/lab-tool': '#!/bin/sh\necho lab\n',
    '/etc/lab/': '',
    '/etc/lab/lab.conf': 'x=1\n',
    '/usr/share/lab/data.txt': 'data\n',
  },
  changelog: ['* Mon Jan 05 2026 Lab Tester <lab@example.com> - 1.2-3', '- first & only'],
};

export const LAB_APP: TestPackage = {
  name: 'lab-app',
  version: '2.0',
  release: '1',
  preamble: ['Epoch: 1', 'Requires: /usr/bin/lab-tool', 'Requires: labby >= 1.0'],
  files: { '/usr/share/lab-app/README': 'app\n' },
};

/** createrepo_c's view of a directory of packages, for comparing with Depot's. */
export function createrepo(dir: string): void {
  execFileSync('createrepo_c', ['--no-database', '--simple-md-filenames', dir], { stdio: 'pipe' });
}
