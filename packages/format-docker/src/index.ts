import {
  assertKnownOptions,
  type DepotError,
  type Format,
  type FormatPluginManifest,
  type FormatRuntime,
} from '@depot/core';
import { dockerCachePolicy } from './cache/cache-policy.js';
import { createTokenDance, createUpstreamClient } from './cache/upstream.js';
import type { DockerDeps } from './deps.js';
import { ociError, renderOciError } from './errors.js';
import { dockerRepositoryListener } from './listener.js';
import { validateDockerOptions } from './options.js';
import { bearerChallenge } from './resolve.js';
import { handleV2 } from './routes/dispatch.js';
import { dockerSettings } from './settings.js';
import { dockerBlobReferences } from './store/gc-references.js';
import { dockerVersions } from './store/keep-last.js';
import { dockerKv, dockerRepositoryPrefixes } from './store/kv.js';
import { untaggedCleaner } from './store/untagged.js';
import { uploadReaper } from './uploads/reaper.js';

/** The token endpoint (`GET|POST`), public: it authenticates the credentials it is sent. */
const TOKEN_PATH = '/v2/token';

export { realmTrusted } from './cache/upstream.js';
export type { OciErrorCode } from './errors.js';
export { ociError } from './errors.js';
export type { DockerRepositoryOptions } from './options.js';
export { reapUploadSessions, UPLOAD_IDLE_MS, UPLOAD_KIND } from './uploads/sessions.js';

/** Options of {@link dockerFormat}. */
export interface DockerFormatOptions {
  /** Clock in ms (tests inject one). */
  readonly now?: () => number;
}

/**
 * The Docker / OCI distribution-spec v1.1 format. Served under the `/v2` mount (OCI clients
 * hard-code it); `/repository/{repo}/…` answers 405. Hosted, cache (pull-through) and proxy repos.
 */
export function dockerFormat(options: DockerFormatOptions = {}): Format {
  const now = options.now ?? Date.now;
  // One token cache for manifest fetches (the runtime) and blob fills (the engine, via the policy).
  const dance = createTokenDance(now);
  return {
    name: 'docker',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'], mounts: ['/v2'] },
    cachePolicy: dockerCachePolicy(dance),
    repositoryRecordPrefixes: dockerRepositoryPrefixes,
    validateRepositoryOptions: (opts, repo) => ({ ...validateDockerOptions(opts, repo) }),
    settings: dockerSettings,
    repositoryListener: dockerRepositoryListener,
    init(ctx): FormatRuntime {
      const deps: DockerDeps = {
        ctx,
        engine: ctx.engine,
        kv: dockerKv(ctx.kv),
        upstream: createUpstreamClient(ctx.fetch, ctx.logger, now, dance),
        flights: new Map(),
        referrersRefreshed: new Map(),
        now,
      };
      return {
        // Each request acts as its caller.
        handleMount: (req) => handleV2({ ...deps, engine: req.engine }, req),
        // The token endpoint reads credentials from the request itself (a `grant_type=password` POST).
        mountAccess: (req) => (req.rawPath === TOKEN_PATH ? 'public' : undefined),
        handle: async () => {
          throw ociError('UNSUPPORTED', 'Docker repositories are served under /v2/');
        },
        renderError: (err: DepotError, req) => renderOciError(err, () => bearerChallenge(req)),
        challenge: bearerChallenge,
        workers: [uploadReaper(ctx, now), untaggedCleaner(deps)],
        referencedBlobs: (repo) => dockerBlobReferences(deps.kv, repo),
        versions: dockerVersions(deps),
      };
    },
  };
}

/** The plugin manifest the server loads. `[formats.docker]` takes no options yet. */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'docker',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, [], 'docker');
    return dockerFormat();
  },
};
