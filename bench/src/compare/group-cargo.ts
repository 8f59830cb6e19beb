import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import { type Endpoint, send } from '../http/client.js';
import { PayloadFactory } from '../payload/payload.js';
import { cargoCrate, cargoPublishBody } from '../payload/tgz.js';
import { type GroupContext, withEndpoint } from './context.js';
import { compareWithStaticNginx, staticFile } from './static-peer.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-cargo';
const INDEXED = 'benchidx';
const BIG = 'benchbig';
const VERSIONS = 20;
const MIB = 1024 * 1024;

async function publish(ep: Endpoint, name: string, version: string, crate: Buffer): Promise<void> {
  await send(ep, 'PUT', `/repository/${REPO}/api/v1/crates/new`, {
    body: cargoPublishBody(name, version, crate),
    headers: { 'content-type': 'application/octet-stream' },
    expect: [200, 400],
  });
}

/** nginx's ETag for a static file: last-modified seconds and size, in hex. */
function nginxEtag(file: string): string {
  const st = statSync(file);
  return `"${Math.floor(st.mtimeMs / 1000).toString(16)}-${st.size.toString(16)}"`;
}

/**
 * Cargo sparse-registry reads against nginx serving the same static files: an index file of 20
 * versions @16, the same with `If-None-Match` (304s, what cargo sends on every build), and a 5 MiB
 * `.crate` @8; the time from a publish to the index listing it goes in the note.
 */
export async function cargoGroup(g: GroupContext): Promise<FigureResult[]> {
  if (![...g.selected].some((name) => name.startsWith('cargo-'))) return [];
  const www = join(g.settings.workDir, 'nginx-cargo');
  const payloads = new PayloadFactory(61, 61);
  const indexPath = `/index/be/nc/${INDEXED}`;
  const bigPath = `/api/v1/crates/${BIG}/1.0.0/download`;
  let depotEtag = '';
  let visibleMs = Number.NaN;
  await withEndpoint(g.depot.url, g.depotHeaders, 4, async (ep) => {
    await ensureRepo(ep, REPO, 'cargo', 'default');
    for (let v = 0; v < VERSIONS; v++) {
      await publish(ep, INDEXED, `1.0.${v}`, cargoCrate(INDEXED, `1.0.${v}`, payloads.bytes(256, v)));
    }
    const big = cargoCrate(BIG, '1.0.0', payloads.bytes(5 * MIB, 1000));
    await publish(ep, BIG, '1.0.0', big);
    const index = await send(ep, 'GET', `/repository/${REPO}${indexPath}`, { text: true });
    depotEtag = String(index.headers.etag ?? '');
    for (const [path, body] of [
      [indexPath, index.text],
      [bigPath, big],
    ] as const) {
      const file = staticFile(www, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
    }
    // Publish-to-visible: one more version, then read the index until it lists it.
    const started = performance.now();
    await publish(
      ep,
      INDEXED,
      `1.0.${VERSIONS}`,
      cargoCrate(INDEXED, `1.0.${VERSIONS}`, payloads.bytes(256, VERSIONS)),
    );
    for (let tries = 0; tries < 1000; tries++) {
      const after = await send(ep, 'GET', `/repository/${REPO}${indexPath}`, { text: true });
      if (after.text.includes(`"vers":"1.0.${VERSIONS}"`)) {
        visibleMs = performance.now() - started;
        break;
      }
    }
  });
  g.settings.log(`cargo: version ${VERSIONS + 1} listed ${visibleMs.toFixed(0)} ms after its publish`);
  // The static index stays at the first 20 versions; Depot's at 21 (same size class, same request).
  const depotIndexEtag = await withEndpoint(g.depot.url, g.depotHeaders, 1, async (ep) =>
    String((await send(ep, 'GET', `/repository/${REPO}${indexPath}`, { text: true })).headers.etag ?? depotEtag),
  );
  const results = await compareWithStaticNginx(g, www, [
    {
      name: 'cargo-index',
      concurrency: 16,
      metric: 'ops',
      depotPaths: [`/repository/${REPO}${indexPath}`],
      peerPaths: [indexPath],
    },
    {
      name: 'cargo-index-304',
      concurrency: 16,
      metric: 'ops',
      depotPaths: [`/repository/${REPO}${indexPath}`],
      peerPaths: [indexPath],
      headers: { 'if-none-match': depotIndexEtag },
      peerHeaders: { 'if-none-match': nginxEtag(staticFile(www, indexPath)) },
    },
    {
      name: 'cargo-crate-5m',
      concurrency: 8,
      metric: 'mb',
      depotPaths: [`/repository/${REPO}${bigPath}`],
      peerPaths: [bigPath],
    },
  ]);
  return results.map((r) =>
    r.figure === 'cargo-index' ? { ...r, note: `publish to visible ${visibleMs.toFixed(0)} ms` } : r,
  );
}
