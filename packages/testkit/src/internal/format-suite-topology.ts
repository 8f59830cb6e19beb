import type { Principal } from '@depot/core';
import { describe, expect, it } from 'vitest';
import type { FormatSuiteOptions } from '../format-suite.js';
import {
  expectArtifact,
  expectStatus,
  type HarnessFactory,
  harnessFactory,
  makeArtifact,
} from './format-suite-support.js';

/**
 * An artifact only the second member holds, read through the proxy by a caller who may read the
 * proxy and its first member but not the second: 404. Fails for a format that serves requests with
 * the context's (system) engine instead of `req.engine`.
 */
export async function unreadableMemberIsSkipped(options: FormatSuiteOptions, harness: HarnessFactory): Promise<void> {
  const h = await harness(['first', 'second', { name: 'group', repo_type: 'proxy', members: ['first', 'second'] }]);
  const artifact = await makeArtifact(options, 'suite-hidden', '1.0.0');
  expectStatus(await options.upload(h, 'second', artifact), '2xx', 'upload to the second member');
  const outsider: Principal = {
    username: 'outsider',
    anonymous: false,
    admin: false,
    can: (action, repo) => action === 'read' && repo !== 'second',
  };
  const res = await options.download(h.as(outsider), 'group', artifact);
  expectStatus(res, 404, 'an artifact only an unreadable member holds, through the proxy');
}

/** The cache and proxy cases of `describeFormat`, for the repo types the format declares. */
export function formatTopologyCases(options: FormatSuiteOptions): void {
  const repoTypes = options.format().capabilities.repoTypes;

  if (repoTypes.includes('cache')) {
    describe('cache', () => {
      const harness = harnessFactory(options);

      it('fetches from a real HTTP upstream once, then serves the local copy', async () => {
        const origin = await harness(['origin']);
        const artifact = await makeArtifact(options, 'suite-cached', '1.0.0');
        expectStatus(await options.upload(origin, 'origin', artifact), '2xx', 'upload to the upstream');
        const server = await origin.listen();
        const upstreamUrl = options.upstreamUrl?.(server, 'origin') ?? `${server.url}/repository/origin`;
        const h = await harness([
          { name: 'cache', repo_type: 'cache', upstream_url: upstreamUrl, cache_ttl_secs: 3600 },
        ]);

        expectArtifact(await options.download(h, 'cache', artifact), artifact, 'first read');
        const afterFirst = server.hits();
        expect(afterFirst, 'the first read reaches the upstream').toBeGreaterThan(0);
        expectArtifact(await options.download(h, 'cache', artifact), artifact, 'second read');
        expect(server.hits(), 'the second read is answered locally').toBe(afterFirst);
      });

      it('an artifact the upstream lacks answers 404 in the protocol shape', async () => {
        const origin = await harness(['origin']);
        const server = await origin.listen();
        const upstreamUrl = options.upstreamUrl?.(server, 'origin') ?? `${server.url}/repository/origin`;
        const h = await harness([
          { name: 'cache', repo_type: 'cache', upstream_url: upstreamUrl, cache_ttl_secs: 3600 },
        ]);
        const res = await options.unknownRequest(h, 'cache');
        expectStatus(res, 404, 'unknown through the cache');
        options.expectedNotFoundShape(res);
      });
    });
  }

  if (repoTypes.includes('proxy')) {
    describe('proxy', () => {
      const harness = harnessFactory(options);
      const group = { name: 'group', repo_type: 'proxy' as const, members: ['first', 'second'] };

      it('finds an artifact that only the second member holds', async () => {
        const h = await harness(['first', 'second', group]);
        const artifact = await makeArtifact(options, 'suite-second', '1.0.0');
        expectStatus(await options.upload(h, 'second', artifact), '2xx', 'upload to the second member');
        expectArtifact(await options.download(h, 'group', artifact), artifact, 'read through the proxy');
      });

      it('serves the first member when both hold the same version', async () => {
        const h = await harness(['first', 'second', group]);
        const inFirst = await makeArtifact(options, 'suite-both', '1.0.0', 0);
        const inSecond = await makeArtifact(options, 'suite-both', '1.0.0', 1);
        expectStatus(await options.upload(h, 'second', inSecond), '2xx', 'upload to the second member');
        expectStatus(await options.upload(h, 'first', inFirst), '2xx', 'upload to the first member');
        expectArtifact(await options.download(h, 'group', inFirst), inFirst, 'read through the proxy');
      });

      it('skips a member the caller may not read, as if absent (the format reads through req.engine)', () =>
        unreadableMemberIsSkipped(options, harness));

      it('an artifact no member holds answers 404 in the protocol shape', async () => {
        const h = await harness(['first', 'second', group]);
        const res = await options.unknownRequest(h, 'group');
        expectStatus(res, 404, 'unknown through the proxy');
        options.expectedNotFoundShape(res);
      });
    });
  }
}
