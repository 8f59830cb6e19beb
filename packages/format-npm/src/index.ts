import {
  assertKnownOptions,
  type DepotError,
  type Format,
  type FormatPluginManifest,
  type FormatRuntime,
  positiveIntegerOption,
} from '@depot/core';
import { npmAccess } from './access.js';
import { npmBlobReferences } from './blob-refs.js';
import { NPM_CACHE_POLICY } from './cache.js';
import type { NpmEnv } from './env.js';
import { NPM_CHALLENGE, renderNpmError } from './errors.js';
import { npmVersions, removeArtifact } from './keep-last.js';
import { mergeCache } from './merge.js';
import { integrityPins, PIN_PREFIX } from './pins.js';
import { route } from './router.js';
import { byteBudget } from './slots.js';
import { PACKUMENT_PREFIX, packumentStore } from './store.js';

/** Options of {@link npmFormat}. */
export interface NpmFormatOptions {
  /** Largest publish body (JSON with the base64 tarball) accepted, in bytes. Default 100 MiB. */
  readonly maxPublishBytes?: number;
  /**
   * How long a proxy's merged packument is reused, in seconds (default 5). Writes through this
   * instance invalidate it at once; other instances' writes show after at most this long.
   */
  readonly proxyMetadataTtlSecs?: number;
  /**
   * Publish bodies (packument PUTs, by `Content-Length`) handled at once, in bytes (default 96 MiB).
   * A publish holds its body, the decoded tarball and their parse in memory, about 2.5 times the
   * tarball; one that does not fit beside those in flight is answered 429 with `Retry-After`. A
   * publish arriving while none is in flight always runs, so small publishes (the usual case, also
   * many at once from a monorepo) are not refused, and one large one is never starved.
   */
  readonly publishBytesInFlight?: number;
}

const DEFAULT_MAX_PUBLISH_BYTES = 100 * 1024 * 1024;
const DEFAULT_PUBLISH_BYTES_IN_FLIGHT = 96 * 1024 * 1024;

/**
 * The npm registry format: packuments (full and abbreviated), tarballs, publish, unpublish,
 * dist-tags, deprecate, login, whoami and search, for hosted, cache and proxy repositories.
 */
export function npmFormat(options: NpmFormatOptions = {}): Format {
  const maxPublish = options.maxPublishBytes ?? DEFAULT_MAX_PUBLISH_BYTES;
  if (!Number.isSafeInteger(maxPublish) || maxPublish <= 0)
    throw new TypeError('maxPublishBytes must be a positive integer');
  const ttlMs = (options.proxyMetadataTtlSecs ?? 5) * 1000;
  const inFlight = options.publishBytesInFlight ?? DEFAULT_PUBLISH_BYTES_IN_FLIGHT;
  if (!Number.isSafeInteger(inFlight) || inFlight <= 0)
    throw new TypeError('publishBytesInFlight must be a positive integer');
  return {
    name: 'npm',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: NPM_CACHE_POLICY,
    repositoryRecordPrefixes: (repo) => [`${PACKUMENT_PREFIX}${repo}/`, `${PIN_PREFIX}${repo}/`],
    init(ctx): FormatRuntime {
      const env: NpmEnv = {
        ctx,
        engine: ctx.engine,
        store: packumentStore(ctx.kv),
        merged: mergeCache(ttlMs),
        publishes: byteBudget(inFlight),
        pins: integrityPins(ctx.kv, ctx.logger, ctx.integrity),
        publishLimit() {
          const artifactMax = ctx.settings().max_artifact_bytes;
          // base64 inflates by 4/3; leave room for the JSON around it.
          const fromSettings =
            typeof artifactMax === 'number' ? Math.ceil((artifactMax * 4) / 3) + 1024 * 1024 : maxPublish;
          return Math.min(maxPublish, fromSettings);
        },
      };
      return {
        // Each request acts as its caller.
        handle: async (req) => route({ ...env, engine: req.engine }, req),
        access: npmAccess,
        renderError: (err: DepotError) => renderNpmError(err),
        challenge: () => NPM_CHALLENGE,
        referencedBlobs: (repo) => npmBlobReferences(env.store, repo),
        versions: npmVersions(env),
        removeArtifact: (repo, path) => removeArtifact(env, repo, path),
      };
    },
  };
}

/**
 * The plugin manifest the server loads. Its options come from `[formats.npm]`:
 * `max_publish_bytes`, `proxy_metadata_ttl_secs` and `publish_bytes_in_flight` (positive integers);
 * any other key is refused.
 */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'npm',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, ['max_publish_bytes', 'proxy_metadata_ttl_secs', 'publish_bytes_in_flight'], 'npm');
    const maxPublishBytes = positiveIntegerOption(options, 'max_publish_bytes', 'npm');
    const proxyMetadataTtlSecs = positiveIntegerOption(options, 'proxy_metadata_ttl_secs', 'npm');
    const publishBytesInFlight = positiveIntegerOption(options, 'publish_bytes_in_flight', 'npm');
    return npmFormat({
      ...(publishBytesInFlight === undefined ? {} : { publishBytesInFlight }),
      ...(maxPublishBytes === undefined ? {} : { maxPublishBytes }),
      ...(proxyMetadataTtlSecs === undefined ? {} : { proxyMetadataTtlSecs }),
    });
  },
};
