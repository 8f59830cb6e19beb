import { join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import type { Endpoint } from '../http/client.js';
import type { Recorder } from '../load/recorder.js';
import { PayloadFactory } from '../payload/payload.js';
import { startVerdaccio, verdaccioBin } from '../peers/verdaccio.js';
import { getPackument, getTarball, type NpmRegistry } from '../protocol/npm.js';
import { publishVersions } from '../scenarios/npm.js';
import { type GroupContext, withEndpoint } from './context.js';
import { loadMeasure, type PeerSide, runPair } from './harness.js';
import type { FigureResult } from './types.js';

const META = 'cmp-meta';
const TGZ = 'cmp-tgz';
const MIB = 1024 * 1024;

interface NpmFigure {
  readonly name: string;
  readonly concurrency: number;
  readonly metric: 'ops' | 'mb';
}

/** npm packument and tarball GETs: Depot (`/repository/cmp-npm`) against verdaccio 6.8. */
export async function npmGroup(g: GroupContext): Promise<FigureResult[]> {
  const s = g.settings;
  const figs: NpmFigure[] = [
    { name: 'npm-packument', concurrency: 32, metric: 'ops' as const },
    { name: 'npm-tarball', concurrency: 8, metric: 'mb' as const },
  ].filter((f) => g.selected.has(f.name));
  if (figs.length === 0) return [];
  const tgzVersions = s.quick ? 2 : 4;
  const payloads = new PayloadFactory(31, 31);
  const seed = async (reg: NpmRegistry): Promise<void> => {
    await publishVersions(reg, { payloads }, META, 20, 256);
    await publishVersions(reg, { payloads }, TGZ, tgzVersions, 5 * MIB);
  };
  let verdaccio: Awaited<ReturnType<typeof startVerdaccio>> | null = null;
  let unavailable: string | null = verdaccioBin() ? null : 'verdaccio not installed (scripts/install-test-deps.sh)';
  if (!unavailable) {
    try {
      verdaccio = await startVerdaccio(join(s.workDir, 'verdaccio'));
    } catch (err) {
      unavailable = (err as Error).message;
    }
  }
  try {
    const depotBase = '/repository/cmp-npm';
    await withEndpoint(g.depot.url, g.depotHeaders, 2, async (ep) => {
      await ensureRepo(ep, 'cmp-npm', 'npm', 'default');
      await seed({ ep, base: depotBase, origin: g.depot.url });
    });
    const peerHeaders: Record<string, string> = verdaccio ? { authorization: `Bearer ${verdaccio.token}` } : {};
    if (verdaccio) {
      const v = verdaccio;
      await withEndpoint(v.url, peerHeaders, 2, (ep) => seed({ ep, base: '', origin: v.url })).catch((err) => {
        unavailable = `seeding failed: ${(err as Error).message}`;
        verdaccio = null;
      });
    }
    const out: FigureResult[] = [];
    for (const f of figs) {
      s.log(`${f.name}: ${f.concurrency} connections`);
      const stepOn = (ep: Endpoint, base: string, origin: string) => {
        const reg: NpmRegistry = { ep, base, origin };
        return f.name === 'npm-packument'
          ? async (rec: Recorder) => void (await rec.time('get', () => getPackument(reg, META)))
          : async (rec: Recorder, i: number) =>
              void (await rec.time('get', () => getTarball(reg, TGZ, `1.0.${i % tgzVersions}`)));
      };
      out.push(
        await withEndpoint(g.depot.url, g.depotHeaders, f.concurrency, async (dep) => {
          const depot = loadMeasure(s, stepOn(dep, depotBase, g.depot.url), 'get', f.metric, {
            concurrency: f.concurrency,
          });
          const v = verdaccio;
          if (!v) return runPair(f.name, s, depot, { unavailable: unavailable ?? 'not started' });
          return withEndpoint(v.url, peerHeaders, f.concurrency, (pep) => {
            const side: PeerSide = {
              measure: loadMeasure(s, stepOn(pep, '', v.url), 'get', f.metric, { concurrency: f.concurrency }),
            };
            return runPair(f.name, s, depot, side);
          });
        }),
      );
    }
    return out;
  } finally {
    await verdaccio?.stop();
  }
}
