import { join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import type { Endpoint } from '../http/client.js';
import type { Recorder } from '../load/recorder.js';
import { PayloadFactory } from '../payload/payload.js';
import { missingBinary, type PeerInstance } from '../peers/peer.js';
import { startRegistry } from '../peers/registry.js';
import {
  getBlob,
  getManifest,
  imageManifest,
  type OciRepo,
  pullImage,
  pushBlob,
  putManifest,
} from '../protocol/oci.js';
import { type GroupContext, withEndpoint } from './context.js';
import { loadMeasure, type PeerSide, runPair } from './harness.js';
import type { FigureResult, Measure } from './types.js';

const MIB = 1024 * 1024;
const SMALL = 4096;
const BIG = 64 * MIB;

/** The image every side gets before measuring: a config, a 4 KiB layer and a 64 MiB layer, tagged `base`. */
interface BaseImage {
  readonly config: { digest: string; size: number };
  readonly small: { digest: string; size: number };
  readonly big: { digest: string; size: number };
}

/**
 * Both sides use the same requests: blobs go up as an empty POST then one PUT with the whole body
 * (distribution 2.8 has no monolithic POST), manifests are OCI image manifests.
 */
async function seedBase(r: OciRepo, payloads: PayloadFactory): Promise<BaseImage> {
  const config = { digest: payloads.digest(300, 1), size: 300 };
  const small = { digest: payloads.digest(SMALL, 2), size: SMALL };
  const big = { digest: payloads.digest(BIG, 3), size: BIG };
  await pushBlob(r, config.digest, payloads.make(300, 1), 'post-put');
  await pushBlob(r, small.digest, payloads.make(SMALL, 2), 'post-put');
  await pushBlob(r, big.digest, payloads.make(BIG, 3), 'post-put');
  await putManifest(r, 'base', imageManifest(config, [small, big]));
  await putManifest(r, 'small', imageManifest(config, [small]));
  return { config, small, big };
}

type StepMaker = (r: OciRepo, base: BaseImage, payloads: PayloadFactory) => (rec: Recorder, i: number) => Promise<void>;

interface DockerFigure {
  readonly name: string;
  readonly concurrency: number;
  readonly metric: 'ops' | 'mb';
  readonly op: string;
  readonly step: StepMaker;
}

const FIGS: readonly DockerFigure[] = [
  {
    name: 'docker-push-64m',
    concurrency: 1,
    metric: 'mb',
    op: 'push',
    step: (r, _b, p) => async (rec, i) => {
      const digest = p.digest(BIG, 1e6 + i);
      await rec.time('push', () => pushBlob(r, digest, p.make(BIG, 1e6 + i), 'post-put'));
    },
  },
  {
    name: 'docker-push-4k',
    concurrency: 16,
    metric: 'ops',
    op: 'push',
    step: (r, _b, p) => async (rec, i) => {
      const digest = p.digest(SMALL, 2e6 + i);
      await rec.time('push', () => pushBlob(r, digest, p.make(SMALL, 2e6 + i), 'post-put'));
    },
  },
  {
    name: 'docker-manifest-put',
    concurrency: 16,
    metric: 'ops',
    op: 'put',
    step: (r, b) => async (rec, i) => {
      const json = imageManifest(b.config, [b.small], { 'bench.counter': String(i) });
      await rec.time('put', () => putManifest(r, `m${i}`, json));
    },
  },
  {
    name: 'docker-manifest-get',
    concurrency: 16,
    metric: 'ops',
    op: 'get',
    step: (r) => async (rec) => void (await rec.time('get', async () => (await getManifest(r, 'base')).length)),
  },
  {
    name: 'docker-blob-get-4k',
    concurrency: 16,
    metric: 'ops',
    op: 'get',
    step: (r, b) => async (rec) => void (await rec.time('get', () => getBlob(r, b.small.digest))),
  },
  {
    name: 'docker-pull-64m',
    concurrency: 4,
    metric: 'mb',
    op: 'pull',
    step: (r) => async (rec) => void (await rec.time('pull', () => pullImage(r, 'base'))),
  },
];

/** The docker figures: Depot (`/v2/cmp-docker/app`) against docker-registry (`/v2/cmp/app`). */
export async function dockerGroup(g: GroupContext): Promise<FigureResult[]> {
  const figs = FIGS.filter((f) => g.selected.has(f.name));
  if (figs.length === 0) return [];
  const s = g.settings;
  const payloads = new PayloadFactory(21, Date.now() % 2 ** 31);
  let peer: PeerInstance | null = null;
  let unavailable = missingBinary('docker-registry');
  if (!unavailable) {
    try {
      peer = await startRegistry(join(s.workDir, 'registry'));
    } catch (err) {
      unavailable = (err as Error).message;
    }
  }
  try {
    const depotBase = await withEndpoint(g.depot.url, g.depotHeaders, 2, async (ep) => {
      await ensureRepo(ep, 'cmp-docker', 'docker', 'default');
      return seedBase({ ep, name: 'cmp-docker/app' }, payloads);
    });
    let peerBase: BaseImage | null = null;
    if (peer) {
      const p = peer;
      peerBase = await withEndpoint(p.url, {}, 2, (ep) => seedBase({ ep, name: 'cmp/app' }, payloads)).catch((err) => {
        unavailable = `seeding failed: ${(err as Error).message}`;
        return null;
      });
    }
    const out: FigureResult[] = [];
    for (const f of figs) {
      s.log(`${f.name}: ${f.concurrency} connections`);
      const measureOn = (ep: Endpoint, name: string, base: BaseImage): Measure =>
        loadMeasure(s, f.step({ ep, name }, base, payloads), f.op, f.metric, { concurrency: f.concurrency });
      out.push(
        await withEndpoint(g.depot.url, g.depotHeaders, f.concurrency, async (dep) => {
          const depot = measureOn(dep, 'cmp-docker/app', depotBase);
          if (!peer || !peerBase) return runPair(f.name, s, depot, { unavailable: unavailable ?? 'not started' });
          const pb = peerBase;
          return withEndpoint(peer.url, {}, f.concurrency, (pep) => {
            const side: PeerSide = { measure: measureOn(pep, 'cmp/app', pb) };
            return runPair(f.name, s, depot, side);
          });
        }),
      );
    }
    return out;
  } finally {
    await peer?.stop();
  }
}
