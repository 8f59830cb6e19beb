import { type FormatRequest, type FormatResponse, notAllowed, notFound } from '@depot/core';
import { chartMuseum } from './chartmuseum.js';
import { deleteChartFile, putChart, putProvenance } from './charts.js';
import type { HelmEnv } from './env.js';
import { isChartPath, isProvPath } from './paths.js';
import { getChartFile, getIndexYaml } from './serve.js';

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Dispatches one request under `/repository/{repo}/` to its Helm route. */
export function route(env: HelmEnv, req: FormatRequest): Promise<FormatResponse> {
  const path = req.path;
  const segments = path.split('/');
  if (segments[0] === 'api' && segments.length > 1) return chartMuseum(env, req, segments.slice(1));
  if (path === 'index.yaml') {
    if (isRead(req.method)) return getIndexYaml(env, req);
    throw notAllowed('index.yaml is generated; upload charts instead');
  }
  if (isChartPath(path) || isProvPath(path)) {
    if (isRead(req.method)) return getChartFile(env, req);
    if (req.method === 'PUT') return isProvPath(path) ? putProvenance(env, req) : putChart(env, req);
    if (req.method === 'DELETE') return deleteChartFile(env, req);
    throw notAllowed(`${req.method} is not supported on a chart file`);
  }
  throw notFound(`no such Helm repository path: ${path === '' ? '/' : path}`);
}
