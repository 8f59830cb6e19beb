import { DepotError, type Format, type FormatPluginManifest } from '@depot/core';

/** PLACEHOLDER until the docker format lands: answers every request with NOT_ALLOWED. */
export function dockerFormat(): Format {
  return {
    name: 'docker',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    init: () => ({
      handle: async () => {
        throw new DepotError('NOT_ALLOWED', 'docker format is not implemented yet');
      },
    }),
  };
}

/** The plugin manifest the server loads. */
export const depotPlugin: FormatPluginManifest = { kind: 'format', name: 'docker', apiVersion: 1, create: dockerFormat };
