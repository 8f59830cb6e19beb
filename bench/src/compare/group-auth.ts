import { ensureRepo } from '../http/admin-api.js';
import { type Endpoint, getDrain, send } from '../http/client.js';
import type { Recorder } from '../load/recorder.js';
import { PayloadFactory } from '../payload/payload.js';
import { rawPath, rawPut } from '../protocol/raw.js';
import { type GroupContext, withEndpoint } from './context.js';
import { loadMeasure, runPair } from './harness.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-auth';
const ROLE = 'cmp-public-read';
const FILES = 256;
const CONNECTIONS = 64;

/**
 * The price of authentication on the hot path: 1 KiB raw GETs sent with HTTP Basic credentials
 * against the same GETs sent anonymously (the `anonymous` user is given read on the repository
 * through a role). Both sides are Depot, measured alternately in the same run.
 */
export async function rawAuthGroup(g: GroupContext): Promise<FigureResult[]> {
  if (!g.selected.has('raw-download-1k-basic')) return [];
  const s = g.settings;
  const payloads = new PayloadFactory(13, 13);
  await withEndpoint(g.depot.url, g.depotHeaders, 4, async (ep) => {
    await ensureRepo(ep, REPO, 'raw', 'default');
    for (let k = 0; k < FILES; k++) await rawPut(ep, rawPath(REPO, `1k/${k}`), payloads.make(1024, k));
    const capabilities = [{ capability: 'read', repo: REPO }];
    await send(ep, 'POST', '/api/v1/roles', {
      body: JSON.stringify({ name: ROLE, description: 'bench: anonymous read', capabilities }),
      headers: { 'content-type': 'application/json' },
      expect: [201, 409],
    });
    await send(ep, 'PUT', '/api/v1/users/anonymous', {
      body: JSON.stringify({ roles: [ROLE] }),
      headers: { 'content-type': 'application/json' },
      expect: [200],
    });
  });
  s.log(`raw-download-1k-basic: ${FILES} files of 1 KiB, ${CONNECTIONS} connections, Basic vs anonymous`);
  const basic = `Basic ${Buffer.from(`${g.depot.user}:${g.depot.password}`).toString('base64')}`;
  const stepFor = (ep: Endpoint) => async (rec: Recorder, i: number) => {
    await rec.time('get', () => getDrain(ep, `/repository/${REPO}/1k/${i % FILES}`));
  };
  return withEndpoint(g.depot.url, { authorization: basic }, CONNECTIONS, (authed) =>
    withEndpoint(g.depot.url, {}, CONNECTIONS, async (anonymous) => {
      const depot = loadMeasure(s, stepFor(authed), 'get', 'ops', { concurrency: CONNECTIONS });
      const peer = { measure: loadMeasure(s, stepFor(anonymous), 'get', 'ops', { concurrency: CONNECTIONS }) };
      return [await runPair('raw-download-1k-basic', s, depot, peer)];
    }),
  );
}
