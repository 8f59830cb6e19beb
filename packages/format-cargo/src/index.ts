import {
  assertKnownOptions,
  type DepotError,
  type Format,
  type FormatPluginManifest,
  type FormatRuntime,
  positiveIntegerOption,
} from '@depot/core';
import { cargoCachePolicy, type DlTemplates } from './cache.js';
import type { CargoEnv } from './env.js';
import { cargoChallenge, renderCargoError } from './errors.js';
import { CRATE_PREFIX, crateRecords } from './records.js';
import { route } from './router.js';

export { checkCrateFile } from './crate-file.js';
export { readPublishMetadata } from './metadata.js';
export { identity, indexPath, requireCrateName } from './names.js';
export { readPublishBody } from './wire.js';

/** Options of {@link cargoFormat}. */
export interface CargoFormatOptions {
  /** Largest `.crate` accepted (default 10 MiB, crates.io's limit). */
  readonly maxCrateBytes?: number;
}

const MIB = 1024 * 1024;

/**
 * Cargo sparse registries (`"format": "cargo"`): the index (`index/config.json` and index files),
 * the web API (publish, yank, owners, search, download) for hosted repositories, caches of an
 * upstream sparse registry, and proxies that merge their members' index files.
 */
export function cargoFormat(options: CargoFormatOptions = {}): Format {
  const maxCrateBytes = options.maxCrateBytes ?? 10 * MIB;
  const templates: DlTemplates = new Map();
  return {
    name: 'cargo',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'] },
    cachePolicy: cargoCachePolicy(templates),
    repositoryRecordPrefixes: (repo) => [`${CRATE_PREFIX}${encodeURIComponent(repo)}/`],
    init(ctx): FormatRuntime {
      const env: CargoEnv = {
        ctx,
        engine: ctx.engine,
        crates: crateRecords(ctx.kv),
        templates,
        rendered: new Map(),
        limits: { maxMetadataBytes: MIB, maxCrateBytes, maxUnpackedBytes: Math.max(64 * MIB, maxCrateBytes * 8) },
      };
      return {
        // Each request acts as its caller.
        handle: (req) => route({ ...env, engine: req.engine }, req),
        renderError: (err: DepotError) => renderCargoError(err),
        challenge: (req) => cargoChallenge(req),
      };
    },
  };
}

/**
 * The plugin manifest the server loads. Its options come from `[formats.cargo]`:
 * `max_crate_bytes` (a positive integer); any other key is refused.
 */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'cargo',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, ['max_crate_bytes'], 'cargo');
    const maxCrateBytes = positiveIntegerOption(options, 'max_crate_bytes', 'cargo');
    return cargoFormat(maxCrateBytes === undefined ? {} : { maxCrateBytes });
  },
};
