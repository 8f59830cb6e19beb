import { afterEach, describe, expect, it } from 'vitest';
import { dockerHarness, OCI_INDEX, OCI_MANIFEST, type Reply, serve, sha256 } from './support.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const subject = sha256('the image');
const good = { mediaType: OCI_MANIFEST, digest: sha256('sig'), size: 10, artifactType: 'application/x-sig' };

/** Lists the referrers of `subject` through a cache repository whose upstream answers `reply`. */
async function listThrough(reply: Reply) {
  const up = await serve(() => reply);
  closers.push(up.close);
  const h = await dockerHarness({}, [{ name: 'cache', repo_type: 'cache', upstream_url: up.url }]);
  closers.push(() => h.close());
  const res = await h.mount({ method: 'GET', rawPath: `/v2/cache/app/referrers/${subject}` });
  return { status: res.status, manifests: res.json<{ manifests: unknown[] }>().manifests, seen: up.seen };
}

describe('cache repository referrers: bad upstream answers add nothing and never fail the listing', () => {
  it('keeps the valid descriptors of an index and skips the malformed ones', async () => {
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { ...good, annotations: { signer: 'ci', bad: 7 } },
        { mediaType: OCI_MANIFEST, digest: 'sha256:../../x', size: 1 },
        { mediaType: OCI_MANIFEST, digest: sha256('neg'), size: -1 },
        { mediaType: OCI_MANIFEST, digest: sha256('frac'), size: 1.5 },
        'not a descriptor',
        null,
      ],
    };
    const listed = await listThrough({ status: 200, body: JSON.stringify(index) });
    expect(listed.status).toBe(200);
    expect(listed.seen.map((s) => s.path)).toEqual([`/v2/app/referrers/${subject}`]);
    expect(listed.manifests).toEqual([{ ...good, annotations: { signer: 'ci' } }]);
  });

  it.each<[string, Reply]>([
    ['not JSON', { status: 200, body: '{"manifests": [' }],
    ['manifests not a list', { status: 200, body: '{"manifests": {"a": 1}}' }],
    ['no referrers API (404)', { status: 404, body: '{}' }],
    ['a failing upstream (500)', { status: 500, body: 'boom' }],
    ['an index over 4 MiB', { status: 200, body: JSON.stringify({ manifests: [good], pad: 'x'.repeat(5 << 20) }) }],
  ])('%s → 200 with an empty index', async (_, reply) => {
    const listed = await listThrough(reply);
    expect(listed.status).toBe(200);
    expect(listed.manifests).toEqual([]);
  });
});
