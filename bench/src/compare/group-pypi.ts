import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import { type Endpoint, send } from '../http/client.js';
import { PayloadFactory } from '../payload/payload.js';
import { benchWheel, type WheelUpload } from '../payload/wheel.js';
import { type GroupContext, withEndpoint } from './context.js';
import { compareWithStaticNginx } from './static-peer.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-pypi';
const PAGE_PROJECT = 'benchpage';
const WHEEL_PROJECT = 'benchwheel';
const VERSIONS = 20;
const MIB = 1024 * 1024;
const PEP691 = 'application/vnd.pypi.simple.v1+json';

async function upload(ep: Endpoint, wheel: WheelUpload): Promise<void> {
  await send(ep, 'POST', `/repository/${REPO}/`, {
    body: wheel.body,
    headers: { 'content-type': wheel.contentType },
    expect: [200, 201, 400],
  });
}

/**
 * PyPI reads against nginx serving the same bytes: a project's simple page (20 versions) as PEP 691
 * JSON and as HTML @16, and a 10 MiB wheel @8. Seeded through the twine upload API.
 */
export async function pypiGroup(g: GroupContext): Promise<FigureResult[]> {
  if (![...g.selected].some((name) => name.startsWith('pypi-'))) return [];
  const s = g.settings;
  const base = `/repository/${REPO}`;
  const www = join(s.workDir, 'nginx-pypi');
  const payloads = new PayloadFactory(41, 41);
  let wheelPath = '';
  await withEndpoint(g.depot.url, g.depotHeaders, 4, async (ep) => {
    await ensureRepo(ep, REPO, 'pypi', 'default');
    for (let v = 0; v < VERSIONS; v++) {
      await upload(ep, benchWheel(PAGE_PROJECT, `1.0.${v}`, payloads.bytes(512, v)));
    }
    const big = benchWheel(WHEEL_PROJECT, '1.0.0', payloads.bytes(10 * MIB, 1000));
    await upload(ep, big);
    // The static copies nginx serves: the simple pages as Depot rendered them, and the wheel.
    const json = await send(ep, 'GET', `${base}/simple/${PAGE_PROJECT}/`, { headers: { accept: PEP691 }, text: true });
    const html = await send(ep, 'GET', `${base}/simple/${PAGE_PROJECT}/`, {
      headers: { accept: 'text/html' },
      text: true,
    });
    mkdirSync(join(www, 'simple', PAGE_PROJECT), { recursive: true });
    writeFileSync(join(www, 'simple', PAGE_PROJECT, 'index.json'), json.text);
    writeFileSync(join(www, 'simple', PAGE_PROJECT, 'index.html'), html.text);
    writeFileSync(join(www, big.filename), big.bytes);
    const wheelPage = await send(ep, 'GET', `${base}/simple/${WHEEL_PROJECT}/`, {
      headers: { accept: PEP691 },
      text: true,
    });
    const file = (JSON.parse(wheelPage.text) as { files: { url: string }[] }).files[0];
    if (file === undefined) throw new Error(`${WHEEL_PROJECT} has no file after its upload`);
    wheelPath = new URL(file.url, `${g.depot.url}${base}/simple/${WHEEL_PROJECT}/`).pathname;
  });
  return compareWithStaticNginx(g, www, [
    {
      name: 'pypi-simple-json',
      concurrency: 16,
      metric: 'ops',
      depotPaths: [`${base}/simple/${PAGE_PROJECT}/`],
      peerPaths: [`/simple/${PAGE_PROJECT}/index.json`],
      headers: { accept: PEP691 },
    },
    {
      name: 'pypi-simple-html',
      concurrency: 16,
      metric: 'ops',
      depotPaths: [`${base}/simple/${PAGE_PROJECT}/`],
      peerPaths: [`/simple/${PAGE_PROJECT}/index.html`],
      headers: { accept: 'text/html' },
    },
    {
      name: 'pypi-wheel-10m',
      concurrency: 8,
      metric: 'mb',
      depotPaths: [wheelPath],
      peerPaths: [`/${WHEEL_PROJECT}-1.0.0-py3-none-any.whl`],
    },
  ]);
}
