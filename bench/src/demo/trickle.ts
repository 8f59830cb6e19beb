import { setTimeout as sleep } from 'node:timers/promises';
import { ensureRepo } from '../http/admin-api.js';
import { authHeaders, createPool, type Endpoint, getDrain, HttpStatusError } from '../http/client.js';
import { PayloadFactory } from '../payload/payload.js';
import { imageManifest, type OciRepo, pullImage, pushBlob, putManifest } from '../protocol/oci.js';
import { rawDelete, rawPath, rawPut } from '../protocol/raw.js';
import { Rng } from './random.js';

/** Options of `depot-bench trickle`. */
export interface TrickleOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly store: string;
  /** Operations per second. */
  readonly rate: number;
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Operation counts of a trickle run. */
export type TrickleCounts = Record<'upload' | 'download' | 'delete' | 'push' | 'pull' | 'errors', number>;

const KEEP = 200;

/**
 * Slow background traffic for dashboards: small raw uploads, downloads and deletes (keeping at most
 * 200 objects), and occasional docker pushes and pulls. Ends after `durationMs` or on abort;
 * logs in again when a token expires (401).
 */
export async function runTrickle(o: TrickleOptions): Promise<TrickleCounts> {
  const origin = new URL(o.url).origin;
  const headers: Record<string, string> = await authHeaders(origin, o.user, o.password);
  const ep: Endpoint = { pool: createPool(origin, 2), headers };
  const counts: TrickleCounts = { upload: 0, download: 0, delete: 0, push: 0, pull: 0, errors: 0 };
  const rng = new Rng(Date.now());
  const payloads = new PayloadFactory(7, Date.now() % 2 ** 31);
  const oci: OciRepo = { ep, name: 'trickle-docker/ticker' };
  const live: string[] = [];
  const tags: string[] = [];
  const deadline = o.durationMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.durationMs;
  let n = 0;
  try {
    await ensureRepo(ep, 'trickle-raw', 'raw', o.store);
    await ensureRepo(ep, 'trickle-docker', 'docker', o.store);
    while (Date.now() < deadline && !o.signal?.aborted) {
      const roll = rng.next();
      try {
        if (roll < 0.35 || live.length === 0) {
          const path = `ticks/${new Date().toISOString().slice(0, 10)}/tick-${n}.bin`;
          await rawPut(ep, rawPath('trickle-raw', path), payloads.make(rng.int(100, 256 * 1024), n));
          live.push(path);
          counts.upload++;
        } else if (roll < 0.7) {
          await getDrain(ep, rawPath('trickle-raw', rng.pick(live)));
          counts.download++;
        } else if (roll < 0.8 || live.length > KEEP) {
          await rawDelete(ep, rawPath('trickle-raw', live.shift() as string), true);
          counts.delete++;
        } else if (roll < 0.9 || tags.length === 0) {
          tags.push(await pushTick(oci, payloads, n));
          counts.push++;
        } else {
          await pullImage(oci, rng.pick(tags));
          counts.pull++;
        }
      } catch (err) {
        counts.errors++;
        o.log?.(`trickle: ${(err as Error).message}`);
        if (err instanceof HttpStatusError && err.status === 401) {
          Object.assign(headers, await authHeaders(origin, o.user, o.password));
        }
      }
      n++;
      if (n % 50 === 0) o.log?.(`trickle: ${JSON.stringify(counts)}`);
      await sleep(1000 / Math.max(o.rate, 0.01), undefined, { signal: o.signal }).catch(() => undefined);
    }
  } finally {
    await ep.pool.close();
  }
  return counts;
}

async function pushTick(r: OciRepo, payloads: PayloadFactory, n: number): Promise<string> {
  const layerSize = 8 * 1024;
  const layer = { digest: payloads.digest(layerSize, n), size: layerSize };
  await pushBlob(r, layer.digest, payloads.make(layerSize, n), 'post');
  const config = { digest: payloads.digest(300, 1e9 + n), size: 300 };
  await pushBlob(r, config.digest, payloads.make(300, 1e9 + n), 'post');
  const tag = `tick-${n}`;
  await putManifest(r, tag, imageManifest(config, [layer]));
  return tag;
}
