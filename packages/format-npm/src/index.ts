import { DepotError, type Format, type FormatPluginManifest } from '@depot/core';

/** PLACEHOLDER until the npm format lands: answers every request with NOT_ALLOWED. */
export function npmFormat(): Format {
  return {
    name: 'npm',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    init: () => ({
      handle: async () => {
        throw new DepotError('NOT_ALLOWED', 'npm format is not implemented yet');
      },
    }),
  };
}

/** The plugin manifest the server loads. */
export const depotPlugin: FormatPluginManifest = { kind: 'format', name: 'npm', apiVersion: 1, create: npmFormat };
