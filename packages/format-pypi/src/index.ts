import {
  assertKnownOptions,
  BASIC_CHALLENGE,
  badRequest,
  type Format,
  type FormatPluginManifest,
  type FormatRuntime,
  positiveIntegerOption,
} from '@depot/core';
import { PYPI_CACHE_POLICY } from './cache.js';
import { pypiEnv, SIMPLE_PREFIX } from './env.js';
import { pypiVersions, removeArtifact } from './keep-last.js';
import { pypiAccess, route } from './router.js';
import { PROJECT_PREFIX } from './store.js';

export { normalizeName, parseFileName } from './names.js';
export { compareVersions } from './pep440.js';
export { parseHtmlPage, parseJsonPage } from './upstream-page.js';

/** Options of {@link pypiFormat}. */
export interface PypiFormatOptions {
  /** Largest distribution file accepted by upload, in bytes (default 1 GiB; `max_artifact_bytes` also applies). */
  readonly maxUploadBytes?: number;
}

const DEFAULT_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

/** Checks `format_options`: only `allow_redeploy` (boolean, hosted only). */
function validateRepositoryOptions(options: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  for (const key of Object.keys(options)) {
    if (key !== 'allow_redeploy') throw badRequest(`unknown pypi repository option ${key}`, { field: key });
  }
  const redeploy = options.allow_redeploy ?? false;
  if (typeof redeploy !== 'boolean') throw badRequest('allow_redeploy must be a boolean', { field: 'allow_redeploy' });
  return { allow_redeploy: redeploy };
}

/**
 * The PyPI format: the simple API (PEP 503 HTML and PEP 691 JSON, with PEP 592 yanks, PEP 658/714
 * core metadata and PEP 700 fields), the JSON API, twine's legacy upload, and yank / delete, for
 * hosted, cache (of any PEP 503/691 index) and proxy repositories.
 */
export function pypiFormat(options: PypiFormatOptions = {}): Format {
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!Number.isSafeInteger(maxUpload) || maxUpload <= 0)
    throw new TypeError('maxUploadBytes must be a positive integer');
  return {
    name: 'pypi',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: PYPI_CACHE_POLICY,
    repositoryRecordPrefixes: (repo) => [`${PROJECT_PREFIX}${repo}/`, `${SIMPLE_PREFIX}${encodeURIComponent(repo)}/`],
    validateRepositoryOptions,
    init(ctx): FormatRuntime {
      const env = pypiEnv(ctx, maxUpload);
      return {
        // Each request acts as its caller.
        handle: (req) => route({ ...env, engine: req.engine }, req),
        access: pypiAccess,
        challenge: () => BASIC_CHALLENGE,
        versions: pypiVersions(env),
        removeArtifact: (repo, path) => removeArtifact(env, repo.name, path),
        async *referencedBlobs(repo) {
          if (repo.repo_type !== 'hosted') return;
          for await (const { project, record } of env.store.scan(repo.name)) {
            for (const file of Object.values(record.files)) {
              const path = `packages/${project}/${file.version}/${file.filename}`;
              yield { repo: repo.name, path };
              if (file.core_metadata_sha256 !== undefined) yield { repo: repo.name, path: `${path}.metadata` };
            }
          }
        },
      };
    },
  };
}

/**
 * The plugin manifest the server loads. Its options come from `[formats.pypi]`:
 * `max_upload_bytes` (positive integer); any other key is refused.
 */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'pypi',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, ['max_upload_bytes'], 'pypi');
    const maxUploadBytes = positiveIntegerOption(options, 'max_upload_bytes', 'pypi');
    return pypiFormat(maxUploadBytes === undefined ? {} : { maxUploadBytes });
  },
};
