import { DepotError, type Format, type FormatPluginManifest } from '@depot/core';

/** PLACEHOLDER until the raw format lands: answers every request with NOT_ALLOWED. */
export function rawFormat(): Format {
  return {
    name: 'raw',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    init: () => ({
      handle: async () => {
        throw new DepotError('NOT_ALLOWED', 'raw format is not implemented yet');
      },
    }),
  };
}

/** The plugin manifest the server loads. */
export const depotPlugin: FormatPluginManifest = { kind: 'format', name: 'raw', apiVersion: 1, create: rawFormat };
