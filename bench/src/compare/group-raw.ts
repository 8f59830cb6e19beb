import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRepo } from '../http/admin-api.js';
import { type Endpoint, getDrain } from '../http/client.js';
import type { Recorder } from '../load/recorder.js';
import { runLoad } from '../load/runner.js';
import { PayloadFactory } from '../payload/payload.js';
import { ddWrite } from '../peers/dd.js';
import { startNginx } from '../peers/nginx.js';
import { missingBinary, type PeerInstance } from '../peers/peer.js';
import { rawDelete, rawPath, rawPut } from '../protocol/raw.js';
import { type GroupContext, withEndpoint } from './context.js';
import { loadMeasure, type PeerSide, runPair } from './harness.js';
import type { FigureResult } from './types.js';

const REPO = 'cmp-raw';
const MIB = 1024 * 1024;

interface FileSet {
  readonly figure: string;
  readonly dir: string;
  readonly size: number;
  readonly files: number;
  readonly concurrency: number;
  readonly metric: 'ops' | 'mb';
}

/** raw download 10 MiB @16 and 1 KiB @64 against nginx serving the same files from disk. */
export async function rawDownloadGroup(g: GroupContext): Promise<FigureResult[]> {
  const s = g.settings;
  const sets: FileSet[] = [
    {
      figure: 'raw-download-10m',
      dir: '10m',
      size: 10 * MIB,
      files: s.quick ? 4 : 16,
      concurrency: 16,
      metric: 'mb' as const,
    },
    {
      figure: 'raw-download-1k',
      dir: '1k',
      size: 1024,
      files: s.quick ? 64 : 256,
      concurrency: 64,
      metric: 'ops' as const,
    },
  ].filter((f) => g.selected.has(f.figure));
  if (sets.length === 0) return [];
  const www = join(s.workDir, 'nginx-www');
  const payloads = new PayloadFactory(11, 11);
  await withEndpoint(g.depot.url, g.depotHeaders, 4, async (ep) => {
    await ensureRepo(ep, REPO, 'raw', 'default');
    for (const set of sets) {
      mkdirSync(join(www, set.dir), { recursive: true });
      for (let k = 0; k < set.files; k++) {
        const p = payloads.make(set.size, k);
        writeFileSync(join(www, set.dir, String(k)), Buffer.concat(p.chunks));
        await rawPut(ep, rawPath(REPO, `${set.dir}/${k}`), p);
      }
    }
  });
  let nginx: PeerInstance | null = null;
  let unavailable = missingBinary('nginx');
  if (!unavailable) {
    try {
      nginx = await startNginx(join(s.workDir, 'nginx'), www);
    } catch (err) {
      unavailable = (err as Error).message;
    }
  }
  const out: FigureResult[] = [];
  try {
    for (const set of sets) {
      s.log(`${set.figure}: ${set.files} files of ${set.size} B, ${set.concurrency} connections`);
      const stepFor = (ep: Endpoint, prefix: string) => async (rec: Recorder, i: number) => {
        await rec.time('get', () => getDrain(ep, `${prefix}/${set.dir}/${i % set.files}`));
      };
      const result = await withEndpoint(g.depot.url, g.depotHeaders, set.concurrency, (dep) => {
        const depot = loadMeasure(s, stepFor(dep, `/repository/${REPO}`), 'get', set.metric, {
          concurrency: set.concurrency,
        });
        if (!nginx) return runPair(set.figure, s, depot, { unavailable: unavailable ?? 'not started' });
        const n = nginx;
        return withEndpoint(n.url, {}, set.concurrency, (peerEp) => {
          const peer: PeerSide = {
            measure: loadMeasure(s, stepFor(peerEp, ''), 'get', set.metric, { concurrency: set.concurrency }),
          };
          return runPair(set.figure, s, depot, peer);
        });
      });
      out.push(result);
    }
  } finally {
    await nginx?.stop();
  }
  return out;
}

/** raw upload of one large object, durable, against `dd … conv=fsync` on the same disk. */
export async function rawUploadGroup(g: GroupContext): Promise<FigureResult[]> {
  if (!g.selected.has('raw-upload-1g')) return [];
  const s = g.settings;
  const mib = s.quick ? 64 : 1024;
  s.log(`raw-upload-1g: ${mib} MiB per upload, 1 connection, vs dd conv=fsync in ${g.depot.dataDir}`);
  const payloads = new PayloadFactory(12, Date.now() % 2 ** 31);
  let n = 0;
  return withEndpoint(g.depot.url, g.depotHeaders, 1, async (ep) => {
    await ensureRepo(ep, REPO, 'raw', 'default');
    const depot = async () => {
      const path = rawPath(REPO, `big/upload-${n}.bin`);
      const res = await runLoad(
        (rec, i) => rec.time('put', () => rawPut(ep, path, payloads.make(mib * MIB, i))).then(() => undefined),
        { concurrency: 1, count: 1, firstIndex: n++ },
      );
      await rawDelete(ep, path, true);
      const op = res.ops.find((o) => o.op === 'put');
      return {
        value: op?.mbPerSec ?? 0,
        errors: op?.errors ?? 1,
        ...(op?.firstError ? { firstError: op.firstError } : {}),
      };
    };
    const peer: PeerSide = {
      measure: async () => ({ value: await ddWrite(join(g.depot.dataDir, 'dd-test.bin'), mib), errors: 0 }),
    };
    return [await runPair('raw-upload-1g', s, depot, peer)];
  });
}
