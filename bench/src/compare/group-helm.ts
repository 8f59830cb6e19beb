import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import { type Endpoint, send } from '../http/client.js';
import { helmChart } from '../payload/tgz.js';
import { type GroupContext, withEndpoint } from './context.js';
import { compareWithStaticNginx } from './static-peer.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-helm';
const CHARTS = 1000;
const CONCURRENCY = 16;

const chartPath = (i: number): string => `/repository/${REPO}/chart-${i % 50}-1.${Math.floor(i / 50)}.0.tgz`;

/** PUTs chart `i` (50 names × 20 versions for 1,000). */
async function putChart(ep: Endpoint, i: number): Promise<void> {
  const name = `chart-${i % 50}`;
  const version = `1.${Math.floor(i / 50)}.0`;
  await send(ep, 'PUT', chartPath(i), {
    body: helmChart(name, version),
    headers: { 'content-type': 'application/gzip' },
    expect: [200, 201, 409],
  });
}

/**
 * `index.yaml` of a hosted Helm repository holding 1,000 chart versions @16 against nginx serving
 * the same file; the time from the 1,001st chart's PUT to it being listed goes in the note.
 */
export async function helmGroup(g: GroupContext): Promise<FigureResult[]> {
  if (!g.selected.has('helm-index-1000')) return [];
  const s = g.settings;
  const www = join(s.workDir, 'nginx-helm');
  mkdirSync(www, { recursive: true });
  let visibleMs = Number.NaN;
  await withEndpoint(g.depot.url, g.depotHeaders, 8, async (ep) => {
    await ensureRepo(ep, REPO, 'helm', 'default');
    for (let i = 0; i < CHARTS; i += 8) {
      await Promise.all(Array.from({ length: Math.min(8, CHARTS - i) }, (_, k) => putChart(ep, i + k)));
    }
    const index = await send(ep, 'GET', `/repository/${REPO}/index.yaml`, { text: true });
    writeFileSync(join(www, 'index.yaml'), index.text);
    // Publish-to-visible: the next version, then poll the index until it lists it.
    const started = performance.now();
    await putChart(ep, CHARTS);
    const wanted = `version: 1.${CHARTS / 50}.0`;
    for (let tries = 0; tries < 1000; tries++) {
      const after = await send(ep, 'GET', `/repository/${REPO}/index.yaml`, { text: true });
      if (after.text.includes(wanted)) {
        visibleMs = performance.now() - started;
        break;
      }
    }
  });
  s.log(
    `helm-index-1000: ${CHARTS} chart versions, ${CONCURRENCY} connections; 1,001st visible after ${visibleMs.toFixed(0)} ms`,
  );
  const [result] = await compareWithStaticNginx(g, www, [
    {
      name: 'helm-index-1000',
      concurrency: CONCURRENCY,
      metric: 'ops',
      depotPaths: [`/repository/${REPO}/index.yaml`],
      peerPaths: ['/index.yaml'],
    },
  ]);
  return result === undefined
    ? []
    : [{ ...result, note: `1,001st chart listed ${visibleMs.toFixed(0)} ms after its PUT` }];
}
