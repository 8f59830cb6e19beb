import { DepotError, type FormatRuntime, type MountRequest } from '@depot/core';
import type { FormatHost, LoadedFormat } from '../runtime/format-host.js';
import type { DepotServices } from '../runtime/services.js';

/** What a repository's own listener serves: one format's mount, bound to one repository. */
export interface ListenerBinding {
  readonly repo: string;
  /** The format of the repository (its `repositoryListener` asked for the port). */
  readonly format: string;
  /** The mount served there, e.g. `/v2`. */
  readonly mount: string;
}

/** True for `mount` itself and everything under `mount/`. */
export const isUnderMount = (mount: string, path: string): boolean => path === mount || path.startsWith(`${mount}/`);

/**
 * `runtime` with every mount request bound to the repository (`MountRequest.boundRepo`). The
 * record is read per request, so a permission, deletion or format change applies at once.
 */
function bindRuntime(services: DepotServices, runtime: FormatRuntime, binding: ListenerBinding): FormatRuntime {
  const { handleMount } = runtime;
  const bound: FormatRuntime = {
    handle: (req) => runtime.handle(req),
    async handleMount(req: MountRequest) {
      const repo = await services.records.repositories.get(binding.repo);
      if (handleMount === undefined || repo === null || repo.deleting === true || repo.format !== binding.format) {
        throw new DepotError('NOT_FOUND', 'repository not found', { details: { repo: binding.repo } });
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
 * binding's mount, with the format's runtime bound to the repository. Everything else (auth,
 * settings, limits, trusted proxies) is shared, so the dispatcher behaves exactly as on the main
 * listener.
 */
export function boundServices(services: DepotServices, binding: ListenerBinding): DepotServices {
  const inner = services.formats;
  let cached: { runtime: FormatRuntime; loaded: LoadedFormat } | undefined;
  const formats: FormatHost = {
    definitions: inner.definitions,
    get: (name) => inner.get(name),
    mountFor(path) {
      const found = isUnderMount(binding.mount, path) ? inner.mountFor(path) : undefined;
      if (found === undefined || found.loaded.format.name !== binding.format) return undefined;
      if (cached?.runtime !== found.loaded.runtime) {
        const runtime = bindRuntime(services, found.loaded.runtime, binding);
        cached = { runtime: found.loaded.runtime, loaded: { format: found.loaded.format, runtime } };
      }
      return { prefix: found.prefix, loaded: cached.loaded };
    },
    init: () => Promise.reject(new Error('a bound format host is never initialised')),
    workers: () => [],
    close: async () => {},
  };
  // A repository's own port has its own external address: URLs there come from the request.
  const { baseUrl: _main, ...rest } = services;
  return { ...rest, formats };
}
