import type { RepositoryListenerSpec } from '@depot/core';

/**
 * Docker repositories may have a port of their own (`format_options.listen`, `host:port`) where
 * `/v2/<image>/…` names images of that repository directly.
 */
export const dockerRepositoryListener: RepositoryListenerSpec = {
  mount: '/v2',
  address(repo) {
    const listen = repo.format_options?.listen;
    return typeof listen === 'string' ? listen : undefined;
  },
};
