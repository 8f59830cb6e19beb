import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';
import { type DepotProcess, startDepot } from './helpers/depot-process.js';

// The README's "Walkthrough with curl", run as printed against a real server: the shell block is
// taken from README.md itself, with only the address and the admin password filled in. Every curl
// runs with --fail-with-body under `set -e`, so a command that answers an error fails the test.

const run = promisify(execFile);
let depot: DepotProcess | undefined;
afterAll(async () => {
  await depot?.stop();
});

/** The shell code blocks of the README section headed `heading`, joined. */
function section(heading: string): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const text = readme.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

describe('README walkthrough', () => {
  it('runs command by command against a fresh server', async () => {
    // As a newcomer: the generated admin password, which only allows choosing a new one.
    depot = await startDepot({ generatedAdminPassword: true, privateUpstreams: false });
    const script = section('Walkthrough with curl')
      .replaceAll('http://127.0.0.1:8080', depot.url)
      .replaceAll('<the generated password>', depot.adminPassword)
      .replaceAll('<your new password>', 'walkthrough-password-1');
    expect(script).toContain('curl');
    copyFileSync(join(REPO_ROOT, 'README.md'), join(depot.dataDir, 'README.md'));
    const prelude = 'set -euo pipefail\ncurl() { command curl -sS --fail-with-body "$@"; }\n';
    const out = await run('bash', ['-c', prelude + script], { cwd: depot.dataDir, timeout: 60_000 }).catch(
      (err: { stdout?: string; stderr?: string }) => {
        throw new Error(`walkthrough failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n${depot?.logs() ?? ''}`);
      },
    );
    // The last commands fetch the uploaded README three ways (direct, cache, proxy) and archive it.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(out.stdout.split(readme.slice(0, 200)).length - 1).toBe(3);
    expect(readFileSync(join(depot.dataDir, 'docs.tar.gz')).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });
});
