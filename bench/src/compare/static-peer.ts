import { join } from 'node:path';
import { type Endpoint, getDrain } from '../http/client.js';
import type { Recorder } from '../load/recorder.js';
import { startNginx } from '../peers/nginx.js';
import { missingBinary, type PeerInstance } from '../peers/peer.js';
import { type GroupContext, withEndpoint } from './context.js';
import { loadMeasure, type PeerSide, runPair } from './harness.js';
import type { FigureResult } from './types.js';

/** One GET figure of Depot against nginx serving the same bytes as static files. */
export interface StaticFigure {
  readonly name: string;
  readonly concurrency: number;
  readonly metric: 'ops' | 'mb';
  /** Request `i` goes to `depotPaths[i % n]` on Depot and `peerPaths[i % n]` on nginx. */
  readonly depotPaths: readonly string[];
  readonly peerPaths: readonly string[];
  /** Headers of the Depot requests (content negotiation). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers of the nginx requests (a conditional request's own ETag). */
  readonly peerHeaders?: Readonly<Record<string, string>>;
}

/**
 * Measures each selected figure against nginx serving `www` (the static copy of what Depot
 * serves), alternating sides; a figure says why when nginx is missing or does not start.
 */
export async function compareWithStaticNginx(
  g: GroupContext,
  www: string,
  figures: readonly StaticFigure[],
): Promise<FigureResult[]> {
  const s = g.settings;
  const selected = figures.filter((f) => g.selected.has(f.name));
  if (selected.length === 0) return [];
  let nginx: PeerInstance | null = null;
  let unavailable = missingBinary('nginx');
  if (!unavailable) {
    try {
      nginx = await startNginx(`${www}-conf`, www);
    } catch (err) {
      unavailable = (err as Error).message;
    }
  }
  const stepFor =
    (ep: Endpoint, paths: readonly string[], headers?: Readonly<Record<string, string>>) =>
    async (rec: Recorder, i: number) => {
      const path = paths[i % paths.length] as string;
      await rec.time('get', () => getDrain(ep, path, headers === undefined ? undefined : { ...headers }));
    };
  const out: FigureResult[] = [];
  try {
    for (const f of selected) {
      s.log(`${f.name}: ${f.concurrency} connections`);
      const load = { concurrency: f.concurrency };
      out.push(
        await withEndpoint(g.depot.url, g.depotHeaders, f.concurrency, (dep) => {
          const depot = loadMeasure(s, stepFor(dep, f.depotPaths, f.headers), 'get', f.metric, load);
          if (!nginx) return runPair(f.name, s, depot, { unavailable: unavailable ?? 'not started' });
          return withEndpoint(nginx.url, {}, f.concurrency, (peerEp) => {
            const peer: PeerSide = {
              measure: loadMeasure(s, stepFor(peerEp, f.peerPaths, f.peerHeaders), 'get', f.metric, load),
            };
            return runPair(f.name, s, depot, peer);
          });
        }),
      );
    }
    return out;
  } finally {
    await nginx?.stop();
  }
}

/** `join` for a static tree: the file under `www` that nginx serves at URL `path`. */
export const staticFile = (www: string, path: string): string => join(www, ...path.split('/').filter(Boolean));
