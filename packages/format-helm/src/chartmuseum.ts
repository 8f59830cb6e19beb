import {
  badRequest,
  DepotError,
  type FormatRequest,
  type FormatResponse,
  isDepotError,
  notAllowed,
  notFound,
  readBounded,
  requestWriteTarget,
  requireRepoAccess,
} from '@depot/core';
import type { ChartRecord } from './chart-records.js';
import { chartFileName, validateChartName } from './chart-yaml.js';
import { removeChart } from './charts.js';
import type { HelmEnv } from './env.js';
import { jsonResponse } from './errors.js';
import type { IndexEntry } from './index-doc.js';
import { loadIndex } from './load-index.js';
import { readMultipart } from './multipart.js';
import { helmRepoOptions } from './options.js';
import { PROV_SUFFIX, requireRootChartFile } from './paths.js';
import { MAX_PROV_BYTES, storeChart, storeProvenance } from './upload.js';

/** ChartMuseum's answer to a version that is already stored (what `helm cm-push` shows). */
const EXISTS = 'file already exists';

/** The index's entries, for the read endpoints. */
async function entries(env: HelmEnv, req: FormatRequest): Promise<Readonly<Record<string, readonly IndexEntry[]>>> {
  const loaded = await loadIndex(env, req.repo, req.signal);
  return loaded?.doc.entries ?? {};
}

const ownVersions = (all: Readonly<Record<string, readonly IndexEntry[]>>, name: string): readonly IndexEntry[] =>
  Object.hasOwn(all, name) ? (all[name] ?? []) : [];

/** `POST /api/charts` (`chart` and optional `prov` parts) and `POST /api/prov` (`prov` only). */
async function upload(env: HelmEnv, req: FormatRequest, provOnly: boolean): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const target = await requestWriteTarget(req);
  // ChartMuseum: `?force` replaces an existing version, unless overwriting is disabled — here,
  // unless the repository allows redeploy. Without it an existing version is a 409.
  const overwrite = req.query.has('force') && helmRepoOptions(target).allow_redeploy;
  let chart: ChartRecord | null = null;
  let prov: { bytes: Uint8Array; filename: string } | null = null;
  try {
    await readMultipart(req.headers['content-type'], req.body, async (part) => {
      if (part.field === 'chart' && !provOnly && chart === null) {
        chart = await storeChart(env, target, part.stream, { overwrite, signal: req.signal });
      } else if (part.field === 'prov' && prov === null) {
        const bytes = await readBounded(part.stream, MAX_PROV_BYTES);
        prov = { bytes, filename: part.filename };
      } else {
        part.stream.resume();
      }
    });
  } catch (err) {
    if (isDepotError(err, 'CONFLICT'))
      throw new DepotError('CONFLICT', EXISTS, err.details ? { details: err.details } : {});
    throw err;
  }
  const stored = chart as ChartRecord | null;
  const provPart = prov as { bytes: Uint8Array; filename: string } | null;
  if (stored === null && provPart === null) {
    throw badRequest(provOnly ? 'multipart field "prov" is missing' : 'multipart field "chart" is missing');
  }
  if (provPart !== null) {
    const file =
      stored?.path ??
      requireRootChartFile(
        provPart.filename.endsWith(PROV_SUFFIX) ? provPart.filename.slice(0, -PROV_SUFFIX.length) : provPart.filename,
      );
    await storeProvenance(env, target, file, provPart.bytes, overwrite || stored !== null).catch((err: unknown) => {
      throw isDepotError(err, 'CONFLICT') ? new DepotError('CONFLICT', EXISTS) : err;
    });
  }
  return jsonResponse(201, { saved: true });
}

/** `GET /api/charts/{name}/{version}`: `latest` is the newest version. */
function pickVersion(versions: readonly IndexEntry[], version: string): IndexEntry | undefined {
  if (version === 'latest') return versions[0];
  return versions.find((v) => v.version === version);
}

/**
 * The ChartMuseum API under `api/`: `GET|HEAD api/charts[/{name}[/{version}]]`,
 * `POST api/charts`, `POST api/prov`, `DELETE api/charts/{name}/{version}`, with ChartMuseum's
 * JSON shapes (`{"saved":true}`, `{"deleted":true}`, `{"error":"…"}`).
 */
export async function chartMuseum(
  env: HelmEnv,
  req: FormatRequest,
  segments: readonly string[],
): Promise<FormatResponse> {
  const [kind, name, version, ...extra] = segments;
  const read = req.method === 'GET' || req.method === 'HEAD';
  const answer = (value: unknown): FormatResponse =>
    req.method === 'HEAD' ? { status: 200 } : jsonResponse(200, value);
  if (extra.length > 0 || (kind !== 'charts' && kind !== 'prov')) throw notFound(`no such endpoint: ${req.path}`);
  if (kind === 'prov') {
    if (req.method !== 'POST' || name !== undefined) throw notAllowed(`${req.method} is not supported here`);
    return upload(env, req, true);
  }
  if (name === undefined) {
    if (req.method === 'POST') return upload(env, req, false);
    if (!read) throw notAllowed(`${req.method} is not supported on api/charts`);
    requireRepoAccess(req, 'read');
    return answer(await entries(env, req));
  }
  if (version === undefined) {
    if (!read) throw notAllowed(`${req.method} is not supported on a chart`);
    requireRepoAccess(req, 'read');
    const versions = ownVersions(await entries(env, req), name);
    if (versions.length === 0) throw notFound('chart not found');
    return answer(versions);
  }
  if (req.method === 'DELETE') {
    requireRepoAccess(req, 'delete');
    validateChartName(name);
    const file = chartFileName({ name, version });
    requireRootChartFile(file);
    if (!(await removeChart(env, req, file))) throw notFound(`no chart version found for ${name}-${version}`);
    return jsonResponse(200, { deleted: true });
  }
  if (!read) throw notAllowed(`${req.method} is not supported on a chart version`);
  requireRepoAccess(req, 'read');
  const found = pickVersion(ownVersions(await entries(env, req), name), version);
  if (found === undefined) throw notFound(`no chart version found for ${name}-${version}`);
  return answer(found);
}
