import { createHash, randomBytes } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import { createFormatHarness, type FormatHarness, type HarnessResponse } from '../format-harness.js';
import type { FormatSuiteOptions, SuiteArtifact } from '../format-suite.js';

/** Hex SHA-256 of `bytes`. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Builds artifacts through the format's `artifact` hook, or random bytes. */
export async function makeArtifact(
  options: FormatSuiteOptions,
  name: string,
  version: string,
  variant = 0,
): Promise<SuiteArtifact> {
  if (options.artifact) return options.artifact(name, version, variant);
  return { name, version, bytes: new Uint8Array(randomBytes(2048)) };
}

/** Opens a harness acting as `admin`, with a repository for each name or partial record given. */
export type HarnessFactory = (
  repos?: readonly (Parameters<FormatHarness['createRepo']>[0] | string)[],
) => Promise<FormatHarness>;

/**
 * Opens harnesses for one test and closes them after it. Call once per `describe` body; the
 * returned function creates a harness acting as `admin` and a repository for each name given.
 */
export function harnessFactory(options: FormatSuiteOptions): HarnessFactory {
  const open: FormatHarness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  return async (repos = []) => {
    const h = await createFormatHarness({ ...options.harness, format: options.format(), principal: 'admin' });
    open.push(h);
    for (const repo of repos) {
      const record = typeof repo === 'string' ? { name: repo } : repo;
      const format_options = { ...options.repoOptions, ...record.format_options };
      await h.createRepo({ ...record, format_options });
    }
    return h;
  };
}

/** Fails with the response body in the message, which is what one needs to debug a protocol. */
export function expectStatus(res: HarnessResponse, expected: number | '2xx', step: string): void {
  const ok = expected === '2xx' ? res.status >= 200 && res.status < 300 : res.status === expected;
  expect(ok, `${step}: expected ${expected}, got ${res.status} ${res.text().slice(0, 300)}`).toBe(true);
}

/** Asserts `res` is a 200 carrying exactly `artifact`'s bytes. */
export function expectArtifact(res: HarnessResponse, artifact: SuiteArtifact, step: string): void {
  expectStatus(res, 200, step);
  expect(sha256(res.body), `${step}: body digest`).toBe(sha256(artifact.bytes));
}
