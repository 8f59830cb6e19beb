import type { FormatRuntime, MountRequest } from '@depot/core';
import { ociError } from '@depot/format-docker';
import type { FormatHost, LoadedFormat } from '../runtime/format-host.js';
import type { DepotServices } from '../runtime/services.js';

/** The Docker registry API prefix; the only one a repository's own listener serves. */
export const V2_PREFIX = '/v2';

/** True for `/v2` and everything under `/v2/`. */
export const isV2Path = (path: string): boolean => path === V2_PREFIX || path.startsWith(`${V2_PREFIX}/`);

/**
 * The Docker runtime with every mount request bound to `repoName` (`MountRequest.boundRepo`).
 * The record is read per request, so a permission, deletion or format change applies at once.
 */
function bindRuntime(services: DepotServices, runtime: FormatRuntime, repoName: string): FormatRuntime {
  const { handleMount } = runtime;
  const bound: FormatRuntime = {
    handle: (req) => runtime.handle(req),
    async handleMount(req: MountRequest) {
      if (handleMount === undefined) throw ociError('UNSUPPORTED', 'no registry API');
      const repo = await services.records.repositories.get(repoName);
      if (repo === null || repo.deleting === true || repo.format !== 'docker') {
        throw ociError('NAME_UNKNOWN', 'repository name not known to registry', { detail: { repo: repoName } });
      }
      // Assign, not spread: the dispatcher's request builds `query`, `baseUrl` and `signal` lazily.
      return handleMount.call(runtime, Object.assign(req, { boundRepo: repo }));
    },
  };
  if (runtime.renderError) bound.renderError = runtime.renderError.bind(runtime);
  if (runtime.challenge) bound.challenge = runtime.challenge.bind(runtime);
  if (runtime.mountAccess) bound.mountAccess = runtime.mountAccess.bind(runtime);
  return bound;
}

/**
 * The services as a repository's dedicated listener sees them: the format host answers only the
 * Docker `/v2` mount, with a runtime bound to `repoName`. Everything else (auth, settings, limits,
 * trusted proxies) is shared, so the dispatcher behaves exactly as on the main listener.
 */
export function boundServices(services: DepotServices, repoName: string): DepotServices {
  const inner = services.formats;
  let cached: { runtime: FormatRuntime; loaded: LoadedFormat } | undefined;
  const formats: FormatHost = {
    definitions: inner.definitions,
    get: (name) => inner.get(name),
    mountFor(path) {
      const found = isV2Path(path) ? inner.mountFor(path) : undefined;
      if (found === undefined || found.loaded.format.name !== 'docker') return undefined;
      if (cached?.runtime !== found.loaded.runtime) {
        const runtime = bindRuntime(services, found.loaded.runtime, repoName);
        cached = { runtime: found.loaded.runtime, loaded: { format: found.loaded.format, runtime } };
      }
      return { prefix: found.prefix, loaded: cached.loaded };
    },
    init: () => Promise.reject(new Error('a bound format host is never initialised')),
    close: async () => {},
  };
  // A repository's own port has its own external address: URLs there come from the request.
  const { baseUrl: _main, ...rest } = services;
  return { ...rest, formats };
}
