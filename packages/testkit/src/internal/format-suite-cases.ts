import { describe, expect, it } from 'vitest';
import type { FormatSuiteOptions } from '../format-suite.js';
import { expectArtifact, expectStatus, harnessFactory, makeArtifact, sha256 } from './format-suite-support.js';

/** The hosted-repository cases of `describeFormat`. */
export function formatSuiteCases(options: FormatSuiteOptions): void {
  describe('hosted', () => {
    const harness = harnessFactory(options);

    it('upload → listed → download returns the same bytes', async () => {
      const h = await harness(['hosted']);
      const artifact = await makeArtifact(options, 'suite-pkg', '1.0.0');
      expectStatus(await options.upload(h, 'hosted', artifact), '2xx', 'upload');
      expect(await options.list(h, 'hosted')).toContainEqual({ name: 'suite-pkg', version: '1.0.0' });
      expectArtifact(await options.download(h, 'hosted', artifact), artifact, 'download');
    });

    it('an unknown name answers 404 in the protocol shape', async () => {
      const h = await harness(['hosted']);
      const res = await options.unknownRequest(h, 'hosted');
      expectStatus(res, 404, 'unknown request');
      options.expectedNotFoundShape(res);
    });

    it('a listed artifact is not found in a sibling repository', async () => {
      const h = await harness(['hosted', 'other']);
      const artifact = await makeArtifact(options, 'suite-iso', '1.0.0');
      expectStatus(await options.upload(h, 'hosted', artifact), '2xx', 'upload');
      expect(await options.list(h, 'other')).toEqual([]);
      expectStatus(await options.download(h, 'other', artifact), 404, 'download from sibling');
    });

    const anonymous = options.anonymousWrite ?? {};
    if (anonymous !== false) {
      it('an anonymous upload answers 401 with the challenge and stores nothing', async () => {
        const h = await harness(['hosted']);
        const artifact = await makeArtifact(options, 'suite-anon', '1.0.0');
        const res = await options.upload(h.as('anonymous'), 'hosted', artifact);
        expectStatus(res, 401, 'anonymous upload');
        const header = res.headers['www-authenticate'];
        if (anonymous.challenge instanceof RegExp) expect(header).toMatch(anonymous.challenge);
        else if (anonymous.challenge !== undefined) expect(header).toBe(anonymous.challenge);
        else if (h.runtime.challenge !== undefined) expect(header).toBeTruthy();
        expect(await options.list(h, 'hosted')).toEqual([]);
      });
    }

    for (const variant of options.normalization ?? []) {
      it(`name normalization: ${variant.upload} ≡ ${variant.download}`, async () => {
        const h = await harness(['hosted']);
        const artifact = await makeArtifact(options, variant.upload, '1.0.0');
        expectStatus(await options.upload(h, 'hosted', artifact), '2xx', 'upload');
        const alias = { ...artifact, name: variant.download };
        expectArtifact(await options.download(h, 'hosted', alias), artifact, 'download by the other spelling');
      });
    }

    it('write_policy read_only: an upload answers 405 and stores nothing; what was there still downloads', async () => {
      const h = await harness(['hosted']);
      const kept = await makeArtifact(options, 'suite-frozen', '1.0.0');
      expectStatus(await options.upload(h, 'hosted', kept), '2xx', 'upload before freezing');
      const repo = await h.records.repositories.get('hosted');
      if (repo === null) throw new Error('the hosted repository vanished');
      await h.records.repositories.put('hosted', { ...repo, write_policy: 'read_only' });
      h.engine.invalidateRepository('hosted');
      const refused = await makeArtifact(options, 'suite-frozen-new', '1.0.0');
      expectStatus(await options.upload(h, 'hosted', refused), 405, 'upload into a read-only repository');
      expect(await options.list(h, 'hosted')).toEqual([{ name: 'suite-frozen', version: '1.0.0' }]);
      expectArtifact(await options.download(h, 'hosted', kept), kept, 'download from a read-only repository');
    });

    it('write_policy allow_once: a version uploaded again with other bytes is refused, the first bytes stay', async () => {
      const h = await harness([{ name: 'hosted', write_policy: 'allow_once' }]);
      const first = await makeArtifact(options, 'suite-once', '1.0.0', 0);
      const second = await makeArtifact(options, 'suite-once', '1.0.0', 1);
      expectStatus(await options.upload(h, 'hosted', first), '2xx', 'first upload');
      const again = await options.upload(h, 'hosted', second);
      expect(
        again.status >= 400 && again.status < 500,
        `second upload: got ${again.status} ${again.text().slice(0, 200)}`,
      ).toBe(true);
      expectArtifact(await options.download(h, 'hosted', first), first, 'download keeps the first');
    });

    const duplicate = options.duplicatePolicy;
    if (duplicate !== undefined) {
      it(`re-uploading a version: ${duplicate === 'overwrite' ? 'replaces it' : `answers ${duplicate.reject}`}`, async () => {
        const h = await harness(['hosted']);
        const first = await makeArtifact(options, 'suite-dup', '1.0.0', 0);
        const second = await makeArtifact(options, 'suite-dup', '1.0.0', 1);
        expect(sha256(second.bytes), 'artifact() must vary bytes by variant').not.toBe(sha256(first.bytes));
        expectStatus(await options.upload(h, 'hosted', first), '2xx', 'first upload');
        const again = await options.upload(h, 'hosted', second);
        if (duplicate === 'overwrite') {
          expectStatus(again, '2xx', 'second upload');
          expectArtifact(await options.download(h, 'hosted', second), second, 'download after overwrite');
        } else {
          expectStatus(again, duplicate.reject, 'second upload');
          expectArtifact(await options.download(h, 'hosted', first), first, 'download keeps the first');
        }
      });
    }
  });
}
