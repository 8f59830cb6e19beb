import {
  assertKnownOptions,
  type CachePolicy,
  type DepotError,
  DepotError as DepotErrorClass,
  type Format,
  type FormatPluginManifest,
  type FormatRuntime,
  positiveIntegerOption,
} from '@depot/core';
import type { GoEnv } from './env.js';
import { GO_CHALLENGE, renderGoError } from './errors.js';
import { moduleSummaries, SUMMARY_PREFIX } from './module-summary.js';
import { goRepoOptions, validateGoRepoOptions } from './options.js';
import { isImmutablePath, SUMDB_PREFIX } from './paths.js';
import { route } from './router.js';
import { GO_ZIP_LIMITS, type ZipLimits } from './zip-check.js';

export { parseGoMod } from './go-mod.js';
export { decodeCase, encodeCase, isValidModulePath } from './module-path.js';
export { compareVersions, isPseudoVersion, parseVersion, sortVersions } from './version.js';
export { checkModuleZip, GO_ZIP_LIMITS } from './zip-check.js';

/** Options of {@link goFormat}. */
export interface GoFormatOptions {
  /** Largest module zip accepted (default and maximum Go's 500 MiB). */
  readonly maxZipBytes?: number;
  /** Largest go.mod accepted (default and maximum Go's 16 MiB). */
  readonly maxGoModBytes?: number;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Cache repositories: version files and sumdb lookups/tiles immutable; `list`, `@latest`, sumdb `latest` per TTL. */
const goCachePolicy: CachePolicy = {
  isImmutable: isImmutablePath,
  isInternal: (path) => path.startsWith(SUMDB_PREFIX) || path.endsWith('/@v/list') || path.endsWith('/@latest'),
  upstreamUrl(repo, path) {
    if (path.startsWith(SUMDB_PREFIX)) {
      const { sumdb_url, sumdb_name } = goRepoOptions(repo);
      if (sumdb_url === undefined) throw new DepotErrorClass('NOT_FOUND', 'no checksum database configured');
      return `${trimSlash(sumdb_url)}/${path.slice(SUMDB_PREFIX.length + sumdb_name.length + 1)}`;
    }
    if (repo.upstream_url === undefined || repo.upstream_url === '') {
      throw new DepotErrorClass('BAD_REQUEST', `cache repository ${repo.name} has no upstream_url`);
    }
    return `${trimSlash(repo.upstream_url)}/${path}`;
  },
  validateResponse(path, status, headers) {
    if (status === 200 && path.endsWith('.zip') && (headers.get('content-type') ?? '').includes('text/html')) {
      throw new DepotErrorClass('UPSTREAM_ERROR', 'upstream answered a module zip with HTML');
    }
  },
};

function limit(value: number | undefined, max: number, what: string): number {
  const out = value ?? max;
  if (!Number.isSafeInteger(out) || out <= 0 || out > max) throw new TypeError(`${what} must be between 1 and ${max}`);
  return out;
}

/**
 * Go modules (`"format": "golang"`): the GOPROXY protocol (`{module}/@v/list`, `.info`, `.mod`,
 * `.zip`, `@latest`) for hosted repositories (`POST upload`), caches of an upstream GOPROXY (with a
 * checksum-database passthrough) and proxies.
 */
export function goFormat(options: GoFormatOptions = {}): Format {
  const limits: ZipLimits = {
    ...GO_ZIP_LIMITS,
    maxZipBytes: limit(options.maxZipBytes, GO_ZIP_LIMITS.maxZipBytes, 'maxZipBytes'),
    maxGoModBytes: limit(options.maxGoModBytes, GO_ZIP_LIMITS.maxGoModBytes, 'maxGoModBytes'),
  };
  return {
    name: 'golang',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: goCachePolicy,
    validateRepositoryOptions: (opts) => validateGoRepoOptions(opts),
    repositoryRecordPrefixes: (repo) => [`${SUMMARY_PREFIX}${encodeURIComponent(repo)}/`],
    init(ctx): FormatRuntime {
      const env: GoEnv = { ctx, engine: ctx.engine, limits, summaries: moduleSummaries(ctx) };
      return {
        // Each request acts as its caller.
        handle: (req) => route({ ...env, engine: req.engine }, req),
        renderError: (err: DepotError) => renderGoError(err),
        challenge: () => GO_CHALLENGE,
      };
    },
  };
}

/**
 * The plugin manifest the server loads. Its options come from `[formats.golang]`:
 * `max_zip_bytes` and `max_go_mod_bytes` (positive integers up to Go's own limits); any other key
 * is refused.
 */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'golang',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, ['max_zip_bytes', 'max_go_mod_bytes'], 'golang');
    const maxZipBytes = positiveIntegerOption(options, 'max_zip_bytes', 'golang');
    const maxGoModBytes = positiveIntegerOption(options, 'max_go_mod_bytes', 'golang');
    return goFormat({
      ...(maxZipBytes === undefined ? {} : { maxZipBytes }),
      ...(maxGoModBytes === undefined ? {} : { maxGoModBytes }),
    });
  },
};
