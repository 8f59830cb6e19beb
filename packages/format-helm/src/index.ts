import {
  assertKnownOptions,
  type DepotError,
  type Format,
  type FormatPluginManifest,
  type FormatRuntime,
  generatedMetadata,
  positiveIntegerOption,
} from '@depot/core';
import { helmCachePolicy } from './cache-policy.js';
import { DEFAULT_INSPECT_LIMITS } from './chart-inspect.js';
import { CHART_PREFIX, chartRecords } from './chart-records.js';
import type { HelmEnv } from './env.js';
import { HELM_CHALLENGE, renderHelmError } from './errors.js';
import { externalUrls } from './external-urls.js';
import { buildHostedIndex } from './hosted-index.js';
import type { IndexDoc } from './index-doc.js';
import { memo } from './memo.js';
import { validateHelmRepoOptions } from './options.js';
import { route } from './router.js';

export { ChartInspector, inspectChart } from './chart-inspect.js';
export type { ChartMetadata } from './chart-yaml.js';
export { parseChartYaml } from './chart-yaml.js';
export { buildIndex, parseIndex, renderIndex } from './index-doc.js';

/** Options of {@link helmFormat}. */
export interface HelmFormatOptions {
  /** Largest Chart.yaml read from a chart (default 1 MiB). */
  readonly maxChartYamlBytes?: number;
  /** Bytes of a ChartMuseum upload held while looking for Chart.yaml (default 8 MiB). */
  readonly uploadPrefixBytes?: number;
  /** Largest upstream `index.yaml` a cache parses (default 256 MiB). */
  readonly maxUpstreamIndexBytes?: number;
}

/** Where hosted indexes live in the format's KV namespace (the generated-metadata helper's keys). */
const INDEX_PREFIX = 'index/';

function positive(value: number | undefined, fallback: number, what: string): number {
  const out = value ?? fallback;
  if (!Number.isSafeInteger(out) || out <= 0) throw new TypeError(`${what} must be a positive integer`);
  return out;
}

/**
 * The Helm chart repository format: `index.yaml` (generated for hosted, rewritten from the
 * upstream for cache, merged for proxy), chart and provenance files, and the ChartMuseum API.
 */
export function helmFormat(options: HelmFormatOptions = {}): Format {
  const limits = {
    ...DEFAULT_INSPECT_LIMITS,
    maxChartYamlBytes: positive(
      options.maxChartYamlBytes,
      DEFAULT_INSPECT_LIMITS.maxChartYamlBytes,
      'maxChartYamlBytes',
    ),
  };
  const maxPrefixBytes = positive(options.uploadPrefixBytes, 8 * 1024 * 1024, 'uploadPrefixBytes');
  const maxUpstreamIndexBytes = positive(options.maxUpstreamIndexBytes, 256 * 1024 * 1024, 'maxUpstreamIndexBytes');
  const external = externalUrls();
  return {
    name: 'helm',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: helmCachePolicy(external),
    validateRepositoryOptions: (opts) => validateHelmRepoOptions(opts),
    repositoryRecordPrefixes: (repo) => [`${CHART_PREFIX}${repo}/`, `${INDEX_PREFIX}${encodeURIComponent(repo)}/`],
    init(ctx): FormatRuntime {
      const records = chartRecords(ctx.kv);
      const env: HelmEnv = {
        ctx,
        engine: ctx.engine,
        records,
        limits,
        maxPrefixBytes,
        maxUpstreamIndexBytes,
        external,
        parsed: memo<IndexDoc>(64),
        rendered: memo<string>(64),
        hostedIndex: generatedMetadata({
          kv: ctx.kv,
          prefix: INDEX_PREFIX,
          build: (repo) => buildHostedIndex(ctx, records, limits, repo),
          logger: ctx.logger,
        }),
      };
      return {
        // Each request acts as its caller.
        handle: (req) => route({ ...env, engine: req.engine }, req),
        renderError: (err: DepotError) => renderHelmError(err),
        challenge: () => HELM_CHALLENGE,
      };
    },
  };
}

/**
 * The plugin manifest the server loads. Its options come from `[formats.helm]`:
 * `max_chart_yaml_bytes`, `upload_prefix_bytes` and `max_upstream_index_bytes` (positive
 * integers); any other key is refused.
 */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'helm',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, ['max_chart_yaml_bytes', 'upload_prefix_bytes', 'max_upstream_index_bytes'], 'helm');
    const maxChartYamlBytes = positiveIntegerOption(options, 'max_chart_yaml_bytes', 'helm');
    const uploadPrefixBytes = positiveIntegerOption(options, 'upload_prefix_bytes', 'helm');
    const maxUpstreamIndexBytes = positiveIntegerOption(options, 'max_upstream_index_bytes', 'helm');
    return helmFormat({
      ...(maxChartYamlBytes === undefined ? {} : { maxChartYamlBytes }),
      ...(uploadPrefixBytes === undefined ? {} : { uploadPrefixBytes }),
      ...(maxUpstreamIndexBytes === undefined ? {} : { maxUpstreamIndexBytes }),
    });
  },
};
