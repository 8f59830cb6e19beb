import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import { send } from '../http/client.js';
import { goModule } from '../payload/go-module.js';
import { PayloadFactory } from '../payload/payload.js';
import { type GroupContext, withEndpoint } from './context.js';
import { compareWithStaticNginx, staticFile } from './static-peer.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-go';
const SMALL = 'example.com/bench/small';
const BIG = 'example.com/bench/big';
const VERSIONS = 20;
const MIB = 1024 * 1024;

/**
 * GOPROXY reads against nginx serving the same static tree: `.info` and `.mod` of 20 versions
 * @16, and a 10 MiB module `.zip` @8. Seeded through `POST upload`.
 */
export async function goGroup(g: GroupContext): Promise<FigureResult[]> {
  if (![...g.selected].some((name) => name.startsWith('go-'))) return [];
  const www = join(g.settings.workDir, 'nginx-go');
  const payloads = new PayloadFactory(51, 51);
  const small = Array.from({ length: VERSIONS }, (_, v) => `/${SMALL}/@v/v1.0.${v}`);
  const bigZip = `/${BIG}/@v/v1.0.0.zip`;
  const paths = [...small.flatMap((p) => [`${p}.info`, `${p}.mod`]), bigZip];
  await withEndpoint(g.depot.url, g.depotHeaders, 4, async (ep) => {
    await ensureRepo(ep, REPO, 'golang', 'default');
    const uploads = [
      ...small.map((_, v) => goModule(SMALL, `v1.0.${v}`, payloads.bytes(256, v))),
      goModule(BIG, 'v1.0.0', payloads.bytes(10 * MIB, 1000)),
    ];
    for (const u of uploads) {
      await send(ep, 'POST', `/repository/${REPO}/upload`, {
        body: u.body,
        headers: { 'content-type': u.contentType },
        expect: [201, 409],
      });
    }
    // The static tree nginx serves: every file as Depot answers it.
    for (const path of paths) {
      const res = await send(ep, 'GET', `/repository/${REPO}${path}`, { text: !path.endsWith('.zip') });
      const file = staticFile(www, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, path.endsWith('.zip') ? (uploads[VERSIONS]?.zip ?? Buffer.alloc(0)) : res.text);
    }
  });
  return compareWithStaticNginx(g, www, [
    {
      name: 'go-info-mod',
      concurrency: 16,
      metric: 'ops',
      depotPaths: paths.slice(0, -1).map((p) => `/repository/${REPO}${p}`),
      peerPaths: paths.slice(0, -1),
    },
    {
      name: 'go-zip-10m',
      concurrency: 8,
      metric: 'mb',
      depotPaths: [`/repository/${REPO}${bigZip}`],
      peerPaths: [bigZip],
    },
  ]);
}
