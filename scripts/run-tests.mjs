#!/usr/bin/env node
// Runs the whole vitest suite, then prints the plain closing line `N passed, N failed, N skipped`
// that CI reads, computed from vitest's JSON report. The exit code is vitest's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = join(root, '.test-tmp', 'vitest-report.json');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });

// Every temp dir the suite makes (servers' data, registries, client homes) lands in one directory
// of this run, removed afterwards: also what a killed worker or server could not clean up itself.
const runTmp = mkdtempSync(join(tmpdir(), 'depot-test-'));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: runTmp } },
);
rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });

let status = result.status ?? 1;
if (existsSync(report)) {
  const {
    numPassedTests = 0,
    numFailedTests = 0,
    numPendingTests = 0,
    numTodoTests = 0,
    numTotalTestSuites = 0,
    numFailedTestSuites = 0,
  } = JSON.parse(readFileSync(report, 'utf8'));
  if (numPassedTests + numFailedTests === 0) status = status || 1;
  const suites = numFailedTestSuites > 0 ? ` (${numFailedTestSuites} of ${numTotalTestSuites} suites failed)` : '';
  console.log(
    `\n${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped${suites}`,
  );
} else {
  console.log('\n0 passed, 1 failed');
  status = status || 1;
}
process.exit(status);
