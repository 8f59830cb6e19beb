import { createFormatHarness, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerFormat } from '../src/index.js';
import { OCI_INDEX, OCI_MANIFEST, pushImage, sha256 } from './support.js';

let h: FormatHarness | undefined;
afterEach(async () => {
  await h?.close();
});

const DAY = 86_400_000;

describe('docker cleanup_untagged_manifests', () => {
  it('removes manifests no tag keeps once a day old, keeping tagged index children and referrers of kept images', async () => {
    let clock = Date.parse('2026-05-01T00:00:00Z');
    const now = () => clock;
    h = await createHarness(now);
    const harness = h;
    const untag = async (name: string, tag: string) =>
      expect((await harness.mount({ method: 'DELETE', rawPath: `/v2/${name}/manifests/${tag}` })).status).toBe(202);
    const status = async (name: string, digest: string) =>
      (
        await harness.mount({
          method: 'HEAD',
          rawPath: `/v2/${name}/manifests/${digest}`,
          headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` },
        })
      ).status;

    const kept = await pushImage(h, 'pruned/app', 'v1', { seed: 'a' });
    const dropped = await pushImage(h, 'pruned/app', 'tmp', { seed: 'b' });
    await untag('pruned/app', 'tmp');
    const child = await pushImage(h, 'pruned/app', 'child', { seed: 'c' });
    await untag('pruned/app', 'child');
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: child.digest,
          size: Buffer.byteLength(child.manifest),
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
    });
    const put = await h.mount({
      method: 'PUT',
      rawPath: '/v2/pruned/app/manifests/multi',
      headers: { 'content-type': OCI_INDEX },
      body: index,
    });
    expect(put.status).toBe(201);
    const referrer = await pushImage(h, 'pruned/app', 'sig', {
      seed: 'r',
      extra: { subject: { mediaType: OCI_MANIFEST, digest: kept.digest, size: Buffer.byteLength(kept.manifest) } },
    });
    await untag('pruned/app', 'sig');
    const elsewhere = await pushImage(h, 'hosted/app', 'tmp', { seed: 'e' });
    await untag('hosted/app', 'tmp');

    const worker = h.runtime.workers?.find((w) => w.name === 'docker-untagged-manifests');
    expect(worker).toBeDefined();
    // Younger than a day: nothing goes yet.
    await worker?.run(new AbortController().signal);
    expect(await status('pruned/app', dropped.digest)).toBe(200);
    clock += 2 * DAY;
    await worker?.run(new AbortController().signal);
    expect(await status('pruned/app', dropped.digest)).toBe(404);
    for (const digest of [kept.digest, child.digest, sha256(index), referrer.digest]) {
      expect(await status('pruned/app', digest), digest).toBe(200);
    }
    // A repository without the option keeps its untagged manifests.
    expect(await status('hosted/app', elsewhere.digest)).toBe(200);
  });
});

/** Repositories `hosted` (no option) and `pruned` (`cleanup_untagged_manifests`), on clock `now`. */
async function createHarness(now: () => number): Promise<FormatHarness> {
  const harness = await createFormatHarness({ format: dockerFormat({ now }), now });
  await harness.createRepo({ name: 'hosted' });
  await harness.createRepo({ name: 'pruned', format_options: { cleanup_untagged_manifests: true } });
  return harness;
}
