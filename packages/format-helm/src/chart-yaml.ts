import { badRequest } from '@depot/core';
import semver from 'semver';
import { yaml } from './lazy-yaml.js';

/**
 * The Chart.yaml fields Helm reads and copies into `index.yaml` (chart API v1 and v2), kept as
 * the chart declared them. `name` and `version` are validated; the rest is passed through when it
 * has the type Helm expects and dropped otherwise.
 */
export interface ChartMetadata {
  readonly apiVersion?: string;
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly description?: string;
  readonly home?: string;
  readonly icon?: string;
  readonly sources?: readonly string[];
  readonly keywords?: readonly string[];
  readonly maintainers?: readonly Readonly<Record<string, string>>[];
  readonly dependencies?: readonly Readonly<Record<string, unknown>>[];
  readonly type?: string;
  readonly deprecated?: boolean;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly kubeVersion?: string;
  readonly engine?: string;
  readonly tillerVersion?: string;
  readonly condition?: string;
  readonly tags?: string;
}

/** Helm's own rule for chart names: lower-case letters, digits, `-`, `_` and `.`, starting with a letter or digit. */
const CHART_NAME = /^[a-z0-9][a-z0-9._-]*$/i;
const MAX_NAME = 250;

const STRING_FIELDS = [
  'apiVersion',
  'appVersion',
  'description',
  'home',
  'icon',
  'type',
  'kubeVersion',
  'engine',
  'tillerVersion',
  'condition',
  'tags',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Throws `BAD_REQUEST` unless `name` is a chart name Helm accepts (also safe as a file name). */
export function validateChartName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw badRequest('Chart.yaml has no name', { field: 'name' });
  if (name.length > MAX_NAME || !CHART_NAME.test(name) || name.includes('..')) {
    throw badRequest(`chart name ${JSON.stringify(name.slice(0, 80))} is not a valid chart name`, { field: 'name' });
  }
  return name;
}

/** Throws `BAD_REQUEST` unless `version` is a strict SemVer 2 version, as Helm requires. */
export function validateChartVersion(version: unknown): string {
  if (typeof version !== 'string' || version === '') {
    throw badRequest('Chart.yaml has no version', { field: 'version' });
  }
  const parsed = semver.parse(version);
  const canonical =
    parsed === null ? null : `${parsed.version}${parsed.build.length > 0 ? `+${parsed.build.join('.')}` : ''}`;
  if (canonical !== version) {
    throw badRequest(`chart version ${JSON.stringify(version.slice(0, 80))} is not SemVer 2`, { field: 'version' });
  }
  return version;
}

/**
 * Parses and validates a Chart.yaml: `BAD_REQUEST` when it is not YAML, not a mapping, or lacks a
 * valid `name` or SemVer 2 `version`. Aliases are refused (a "billion laughs" document).
 */
export function parseChartYaml(text: string): ChartMetadata {
  let doc: unknown;
  try {
    doc = yaml().parse(text, { maxAliasCount: 0, uniqueKeys: true });
  } catch (err) {
    throw badRequest(`Chart.yaml is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc)) throw badRequest('Chart.yaml is not a YAML mapping');
  const out: Record<string, unknown> = {
    name: validateChartName(doc.name),
    version: validateChartVersion(doc.version),
  };
  for (const key of STRING_FIELDS) {
    const value = doc[key];
    if (typeof value === 'string') out[key] = value;
    else if (key === 'appVersion' && typeof value === 'number') out[key] = String(value);
  }
  const sources = stringList(doc.sources);
  if (sources !== undefined) out.sources = sources;
  const keywords = stringList(doc.keywords);
  if (keywords !== undefined) out.keywords = keywords;
  if (Array.isArray(doc.maintainers)) {
    out.maintainers = doc.maintainers.map(stringMap).filter((m): m is Record<string, string> => m !== undefined);
  }
  if (Array.isArray(doc.dependencies)) out.dependencies = doc.dependencies.filter(isRecord);
  if (typeof doc.deprecated === 'boolean') out.deprecated = doc.deprecated;
  const annotations = stringMap(doc.annotations);
  if (annotations !== undefined) out.annotations = annotations;
  return out as unknown as ChartMetadata;
}

/** The file name Helm gives a packaged chart: `{name}-{version}.tgz`. */
export const chartFileName = (chart: Pick<ChartMetadata, 'name' | 'version'>): string =>
  `${chart.name}-${chart.version}.tgz`;
