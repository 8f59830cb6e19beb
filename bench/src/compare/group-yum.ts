import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import { type Endpoint, send } from '../http/client.js';
import { rpmPackage } from '../payload/rpm.js';
import { type GroupContext, withEndpoint } from './context.js';
import { compareWithStaticNginx } from './static-peer.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-yum';
const CONCURRENCY = 16;

/** PUTs package `i`: 100 names × 50 versions for 5,000. */
async function putRpm(ep: Endpoint, i: number): Promise<void> {
  const name = `pkg-${i % 100}`;
  const version = `1.${Math.floor(i / 100)}`;
  await send(ep, 'PUT', `/repository/${REPO}/Packages/${name}-${version}-1.noarch.rpm`, {
    body: rpmPackage(name, version),
    headers: { 'content-type': 'application/x-rpm' },
    expect: [200, 201, 409],
  });
}

/**
 * `repomd.xml` and `primary.xml.gz` of a hosted Yum repository of 5,000 RPMs @16 against nginx
 * serving the same files; the time from the 5,001st package's PUT until repomd.xml names a primary
 * that lists it goes in the note (publish-to-visible).
 */
export async function yumGroup(g: GroupContext): Promise<FigureResult[]> {
  const wanted = ['yum-repomd', 'yum-primary'].filter((f) => g.selected.has(f));
  if (wanted.length === 0) return [];
  const s = g.settings;
  const count = s.quick ? 500 : 5000;
  const www = join(s.workDir, 'nginx-yum');
  mkdirSync(join(www, 'repodata'), { recursive: true });
  let visibleMs = Number.NaN;
  let primaryPath = '';
  await withEndpoint(g.depot.url, g.depotHeaders, 16, async (ep) => {
    await ensureRepo(ep, REPO, 'yum', 'default');
    for (let i = 0; i < count; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, count - i) }, (_, k) => putRpm(ep, i + k)));
    }
    const repomd = await send(ep, 'GET', `/repository/${REPO}/repodata/repomd.xml`, { text: true });
    primaryPath = /href="(repodata\/[0-9a-f]{64}-primary\.xml\.gz)"/.exec(repomd.text)?.[1] ?? '';
    const primary = await fetch(`${g.depot.url}/repository/${REPO}/${primaryPath}`, { headers: g.depotHeaders });
    if (!primary.ok) throw new Error(`GET ${primaryPath}: ${primary.status}`);
    writeFileSync(join(www, 'repodata', 'repomd.xml'), repomd.text);
    writeFileSync(join(www, primaryPath), Buffer.from(await primary.arrayBuffer()));
    // Publish-to-visible: one more package, then poll repomd.xml until its primary changes.
    const started = performance.now();
    await putRpm(ep, count);
    for (let tries = 0; tries < 1000; tries++) {
      const after = await send(ep, 'GET', `/repository/${REPO}/repodata/repomd.xml`, { text: true });
      if (!after.text.includes(primaryPath)) {
        visibleMs = performance.now() - started;
        break;
      }
    }
  });
  s.log(`yum: ${count} rpms, ${CONCURRENCY} connections; rpm ${count + 1} visible after ${visibleMs.toFixed(0)} ms`);
  const results = await compareWithStaticNginx(g, www, [
    {
      name: 'yum-repomd',
      concurrency: CONCURRENCY,
      metric: 'ops' as const,
      depotPaths: [`/repository/${REPO}/repodata/repomd.xml`],
      peerPaths: ['/repodata/repomd.xml'],
    },
    {
      name: 'yum-primary',
      concurrency: CONCURRENCY,
      metric: 'ops' as const,
      // The file as of the first GET: content-addressed, so it stays served after the 5,001st.
      depotPaths: [`/repository/${REPO}/${primaryPath}`],
      peerPaths: [`/${primaryPath}`],
    },
  ]);
  return results.map((r) => ({ ...r, note: `${count + 1}th rpm listed ${visibleMs.toFixed(0)} ms after its PUT` }));
}
