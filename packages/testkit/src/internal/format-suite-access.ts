import { describe, expect, it } from 'vitest';
import type { FormatHarness } from '../format-harness.js';
import type { FormatSuiteOptions } from '../format-suite.js';
import { expectArtifact, expectStatus, harnessFactory, makeArtifact } from './format-suite-support.js';

type Open = ReturnType<typeof harnessFactory>;

/** A read-only caller's upload answers 403 and stores nothing. */
export async function readOnlyUploadIsRefused(options: FormatSuiteOptions, open: Open): Promise<void> {
  const h = await open(['hosted']);
  const artifact = await makeArtifact(options, 'suite-ro', '1.0.0');
  expectStatus(await options.upload(h.as('reader'), 'hosted', artifact), 403, 'read-only upload');
  expect(await options.list(h, 'hosted')).toEqual([]);
}

/** A read-only caller's delete answers 403, an anonymous one 401; the artifact stays. */
export async function readOnlyDeleteIsRefused(options: FormatSuiteOptions, open: Open): Promise<void> {
  const remove = options.remove as NonNullable<FormatSuiteOptions['remove']>;
  const h: FormatHarness = await open(['hosted']);
  const artifact = await makeArtifact(options, 'suite-rd', '1.0.0');
  expectStatus(await options.upload(h, 'hosted', artifact), '2xx', 'upload');
  expectStatus(await remove(h.as('reader'), 'hosted', artifact), 403, 'read-only delete');
  expectStatus(await remove(h.as('anonymous'), 'hosted', artifact), 401, 'anonymous delete');
  expectArtifact(await options.download(h, 'hosted', artifact), artifact, 'download after refused deletes');
}

/**
 * The access cases of `describeFormat`: whatever a format's handlers check, a read-only user is
 * refused (403) on upload and delete and an anonymous one (401) on delete. Core's dispatch enforces
 * this by default, so only a format that wrongly declares a mutating route public fails here.
 */
export function formatAccessCases(options: FormatSuiteOptions): void {
  describe('access', () => {
    const open = harnessFactory(options);
    it('a read-only user gets 403 on upload and nothing is stored', () => readOnlyUploadIsRefused(options, open));
    if (options.remove !== undefined) {
      it('a read-only user gets 403 and anonymous 401 on delete; the artifact stays', () =>
        readOnlyDeleteIsRefused(options, open));
    }
  });
}
