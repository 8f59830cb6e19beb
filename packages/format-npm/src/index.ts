import type { DepotError, Format, FormatPluginManifest, FormatRuntime } from '@depot/core';
import { npmBlobReferences } from './blob-refs.js';
import { NPM_CACHE_POLICY } from './cache.js';
import type { NpmEnv } from './env.js';
import { NPM_CHALLENGE, renderNpmError } from './errors.js';
import { mergeCache } from './merge.js';
import { route } from './router.js';
import { packumentStore } from './store.js';

/** Options of {@link npmFormat}. */
export interface NpmFormatOptions {
  /** Largest publish body (JSON with the base64 tarball) accepted, in bytes. Default 100 MiB. */
  readonly maxPublishBytes?: number;
  /**
   * How long a proxy's merged packument is reused, in seconds (default 5). Writes through this
   * instance invalidate it at once; other instances' writes show after at most this long.
   */
  readonly proxyMetadataTtlSecs?: number;
}

const DEFAULT_MAX_PUBLISH_BYTES = 100 * 1024 * 1024;

/**
 * The npm registry format: packuments (full and abbreviated), tarballs, publish, unpublish,
 * dist-tags, deprecate, login, whoami and search, for hosted, cache and proxy repositories.
 */
export function npmFormat(options: NpmFormatOptions = {}): Format {
  const maxPublish = options.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES;
  if (!Number.isSafeInteger(maxPublish) || maxPublish <= 0)
    throw new TypeError('maxPublishBytes must be a positive integer');
  const ttlMs = (options.proxyMetadataTtlSecs ?? 5) * 1000;
  return {
    name: 'npm',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: NPM_CACHE_POLICY,
    init(ctx): FormatRuntime {
      const env: NpmEnv = {
        ctx,
        store: packumentStore(ctx.records.kv),
        merged: mergeCache(ttlMs),
        publishLimit() {
          const artifactMax = ctx.settings().max_artifact_bytes;
          // base64 inflates by 4/3; leave room for the JSON around it.
          const fromSettings =
            typeof artifactMax === 'number' ? Math.ceil((artifactMax * 4) / 3) + 1024 * 1024 : maxPublish;
          return Math.min(maxPublish, fromSettings);
        },
      };
      return {
        handle: async (req) => route(env, req),
        renderError: (err: DepotError) => renderNpmError(err),
        challenge: () => NPM_CHALLENGE,
        referencedBlobs: (repo) => npmBlobReferences(env.store, repo),
      };
    },
  };
}

/** The plugin manifest the server loads. */
export const depotPlugin: FormatPluginManifest<NpmFormatOptions> = {
  kind: 'format',
  name: 'npm',
  apiVersion: 1,
  create: npmFormat,
};
