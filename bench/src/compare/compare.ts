import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authHeaders } from '../http/client.js';
import { type DepotInstance, startDepot } from '../launch/depot.js';
import { repoRoot, scratchRoot } from '../launch/paths.js';
import type { GroupContext } from './context.js';
import { FIGURES, figure } from './figures.js';
import { rawAuthGroup } from './group-auth.js';
import { cargoGroup } from './group-cargo.js';
import { dockerGroup } from './group-docker.js';
import { goGroup } from './group-go.js';
import { helmGroup } from './group-helm.js';
import { npmGroup } from './group-npm.js';
import { pypiGroup } from './group-pypi.js';
import { rawDownloadGroup, rawUploadGroup } from './group-raw.js';
import { rssIdle, rssMixed } from './group-rss.js';
import { yumGroup } from './group-yum.js';
import { failedFigure } from './harness.js';
import { markdownReport, type RunInfo, runInfo } from './report.js';
import type { FigureResult } from './types.js';

/** Options of `depot-bench compare`. */
export interface CompareOptions {
  readonly rounds?: number;
  readonly quick: boolean;
  readonly only?: readonly string[];
  readonly json: boolean;
  readonly durationMs?: number;
  readonly keep?: boolean;
  readonly log: (line: string) => void;
}

/** The whole comparison: run info, every figure, the markdown table and the JSON file written (if any). */
export interface CompareOutput {
  readonly info: RunInfo;
  readonly results: FigureResult[];
  readonly markdown: string;
  readonly jsonFile?: string;
}

const GROUPS = [
  rssIdle,
  rawDownloadGroup,
  rawAuthGroup,
  rawUploadGroup,
  dockerGroup,
  npmGroup,
  helmGroup,
  yumGroup,
  pypiGroup,
  goGroup,
  cargoGroup,
  rssMixed,
];

/** Starts a Depot on loopback, runs every selected group against it and its peers, and reports. */
export async function runCompare(o: CompareOptions): Promise<CompareOutput> {
  const selected = new Set(o.only && o.only.length > 0 ? o.only : FIGURES.map((f) => f.name));
  for (const name of selected) figure(name);
  const rounds = o.rounds ?? (o.quick ? 1 : 3);
  const durationMs = o.durationMs ?? (o.quick ? 1000 : 5000);
  const workDir = join(scratchRoot(), `compare-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(workDir, { recursive: true });
  const settings = { rounds, durationMs, warmupMs: o.quick ? 1000 : 2000, quick: o.quick, workDir, log: o.log };
  const info = runInfo(o.quick, rounds, durationMs);
  const results: FigureResult[] = [];
  let depot: DepotInstance | null = null;
  try {
    depot = await startDepot({ dataDir: join(workDir, 'depot') });
    o.log(`depot pid ${depot.process.pid} at ${depot.url}, work dir ${workDir}`);
    const depotHeaders = await authHeaders(depot.url, depot.user, depot.password);
    const ctx: GroupContext = { depot, depotHeaders, settings, selected };
    for (const group of GROUPS) {
      try {
        results.push(...(await group(ctx)));
      } catch (err) {
        o.log(`group ${group.name} failed: ${(err as Error).stack ?? err}`);
        for (const f of FIGURES) {
          if (selected.has(f.name) && !results.some((r) => r.figure === f.name) && groupOf(f.name) === group.name) {
            results.push(failedFigure(f.name, `failed: ${(err as Error).message}`));
          }
        }
      }
    }
  } catch (err) {
    for (const name of selected) results.push(failedFigure(name, `depot unavailable: ${(err as Error).message}`));
  } finally {
    await depot?.stop();
    if (!o.keep) rmSync(workDir, { recursive: true, force: true });
  }
  const ordered = FIGURES.flatMap((f) => results.filter((r) => r.figure === f.name));
  const markdown = markdownReport(info, ordered);
  if (!o.json) return { info, results: ordered, markdown };
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const jsonFile = join(dir, `${info.date.replaceAll(':', '-').slice(0, 19)}.json`);
  writeFileSync(jsonFile, `${JSON.stringify({ ...info, results: ordered }, null, 2)}\n`);
  return { info, results: ordered, markdown, jsonFile };
}

function groupOf(name: string): string {
  if (name === 'rss-idle') return rssIdle.name;
  if (name === 'rss-mixed') return rssMixed.name;
  if (name === 'raw-upload-1g') return rawUploadGroup.name;
  if (name === 'raw-download-1k-basic') return rawAuthGroup.name;
  if (name.startsWith('raw-')) return rawDownloadGroup.name;
  if (name.startsWith('docker-')) return dockerGroup.name;
  if (name.startsWith('helm-')) return helmGroup.name;
  if (name.startsWith('yum-')) return yumGroup.name;
  if (name.startsWith('pypi-')) return pypiGroup.name;
  if (name.startsWith('go-')) return goGroup.name;
  if (name.startsWith('cargo-')) return cargoGroup.name;
  return npmGroup.name;
}
