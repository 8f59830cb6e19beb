import { badRequest } from '@depot/core';

/** Where a cache repository keeps its copy of the upstream `index.yaml` (internal: not an artifact). */
export const UPSTREAM_INDEX_PATH = '_helm/upstream/index.yaml';
/** Charts a cache's upstream index lists on other hosts live under this prefix (see `cache-index.ts`). */
export const EXTERNAL_PREFIX = '_helm/ext/';
export const PROV_SUFFIX = '.prov';

/** A chart archive at the repository root: `{name}-{version}.tgz`. */
export const isRootChartFile = (path: string): boolean => /^[^/_][^/]*\.tgz$/.test(path);

/** Any chart archive (cache repositories keep the upstream's layout, e.g. `charts/x-1.0.0.tgz`). */
export const isChartPath = (path: string): boolean => path.endsWith('.tgz');
export const isProvPath = (path: string): boolean => path.endsWith(`.tgz${PROV_SUFFIX}`);

/** Throws unless `file` is a plain `.tgz` file name (no directory, no leading `_` or `.`). */
export function requireRootChartFile(file: string): string {
  if (!isRootChartFile(file) || file.startsWith('.')) {
    throw badRequest(`${JSON.stringify(file)} is not a chart file name ({name}-{version}.tgz at the repository root)`);
  }
  return file;
}
