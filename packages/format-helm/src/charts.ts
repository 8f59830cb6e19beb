import { type FormatRequest, type FormatResponse, notFound, requestWriteTarget, requireRepoAccess } from '@depot/core';
import type { HelmEnv } from './env.js';
import { helmRepoOptions } from './options.js';
import { PROV_SUFFIX, requireRootChartFile } from './paths.js';
import { storeChart, storeProvenance } from './upload.js';

/** `PUT {name}-{version}.tgz`: stores a chart (Chart.yaml must agree with the file name). 201, no body. */
export async function putChart(env: HelmEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const file = requireRootChartFile(req.path);
  const target = await requestWriteTarget(req);
  await storeChart(env, target, req.body, {
    file,
    overwrite: helmRepoOptions(target).allow_redeploy,
    signal: req.signal,
  });
  return { status: 201 };
}

/** `PUT {name}-{version}.tgz.prov`: stores the chart's provenance file beside it. */
export async function putProvenance(env: HelmEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'write');
  const file = requireRootChartFile(req.path.slice(0, -PROV_SUFFIX.length));
  const target = await requestWriteTarget(req);
  await storeProvenance(env, target, file, req.body, helmRepoOptions(target).allow_redeploy);
  return { status: 201 };
}

/**
 * Removes a chart version: the archive, its provenance file and its record; the index goes stale.
 * `false` when the repository does not hold it.
 */
export async function removeChart(env: HelmEnv, req: FormatRequest, file: string): Promise<boolean> {
  const target = await requestWriteTarget(req, 'delete');
  // Stale first: a process that dies after the delete must not leave the chart listed.
  await env.hostedIndex.markStale(target.name);
  const removed = await env.engine.delete(target.name, file);
  await env.engine.delete(target.name, `${file}${PROV_SUFFIX}`);
  await env.records.delete(target.name, file);
  await env.hostedIndex.markStale(target.name);
  return removed;
}

/** `DELETE {name}-{version}.tgz` (with its `.prov`) or `DELETE {…}.tgz.prov` alone: 204. */
export async function deleteChartFile(env: HelmEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'delete');
  if (req.path.endsWith(PROV_SUFFIX)) {
    requireRootChartFile(req.path.slice(0, -PROV_SUFFIX.length));
    const target = await requestWriteTarget(req, 'delete');
    if (!(await env.engine.delete(target.name, req.path))) throw notFound(`${req.path} not found`);
    return { status: 204 };
  }
  if (!(await removeChart(env, req, requireRootChartFile(req.path)))) throw notFound(`${req.path} not found`);
  return { status: 204 };
}
