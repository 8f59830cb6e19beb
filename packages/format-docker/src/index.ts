import type { DepotError, Format, FormatPluginManifest, FormatRuntime } from '@depot/core';
import { dockerCachePolicy } from './cache/cache-policy.js';
import { createTokenDance, createUpstreamClient } from './cache/upstream.js';
import type { DockerDeps } from './deps.js';
import { ociError, renderOciError } from './errors.js';
import { dockerRepositoryListener } from './listener.js';
import { validateDockerOptions } from './options.js';
import { bearerChallenge } from './resolve.js';
import { handleV2 } from './routes/dispatch.js';
import { dockerSettings } from './settings.js';
import { dockerBlobReferences } from './store/blob-refs.js';
import { dockerKv } from './store/kv.js';
import { uploadReaper } from './uploads/reaper.js';

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
    validateRepositoryOptions: (opts, repo) => ({ ...validateDockerOptions(opts, repo) }),
    settings: dockerSettings,
    repositoryListener: dockerRepositoryListener,
    init(ctx): FormatRuntime {
      const deps: DockerDeps = {
        ctx,
        kv: dockerKv(ctx.records),
        upstream: createUpstreamClient(ctx.fetch, ctx.logger, now, dance),
        flights: new Map(),
        referrersRefreshed: new Map(),
        now,
      };
      return {
        handleMount: (req) => handleV2(deps, req),
        handle: async () => {
          throw ociError('UNSUPPORTED', 'Docker repositories are served under /v2/');
        },
        renderError: (err: DepotError, req) => renderOciError(err, () => bearerChallenge(req)),
        challenge: bearerChallenge,
        workers: [uploadReaper(ctx, now)],
        referencedBlobs: (repo) => dockerBlobReferences(deps.kv, repo),
      };
    },
  };
}

/** The plugin manifest the server loads. */
export const depotPlugin: FormatPluginManifest<DockerFormatOptions> = {
  kind: 'format',
  name: 'docker',
  apiVersion: 1,
  create: dockerFormat,
};
