import { badRequest } from '@depot/core';

/** Validated options of the level store, with defaults applied. */
export interface ResolvedLevelOptions {
  readonly path: string;
  readonly scalingFactor: number;
  readonly cacheSize: number;
  readonly sync: boolean;
}

const KNOWN = new Set(['path', 'scaling_factor', 'cache_size', 'sync']);

/** Default `scaling_factor`: eight shard databases. */
export const DEFAULT_SCALING_FACTOR = 8;
/** Default `cache_size`: 256 MiB in total, split evenly across shards. */
export const DEFAULT_CACHE_SIZE = 256 * 1024 * 1024;

/**
 * Validates raw options (from the `[kv_store]` config table or a typed caller). Every failure is
 * `BAD_REQUEST` naming the key and the value.
 */
export function resolveLevelOptions(raw: Readonly<Record<string, unknown>>): ResolvedLevelOptions {
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) throw badRequest(`unknown level KV store option "${key}"`, { option: key });
  }
  const { path, scaling_factor: scaling = DEFAULT_SCALING_FACTOR, cache_size: cache = DEFAULT_CACHE_SIZE } = raw;
  const sync = raw.sync ?? true;
  if (typeof path !== 'string' || path.length === 0) {
    throw badRequest('level KV store option "path" is required (a directory of shard databases)', { option: 'path' });
  }
  const powerOfTwo =
    typeof scaling === 'number' &&
    Number.isInteger(scaling) &&
    scaling >= 1 &&
    scaling <= 256 &&
    (scaling & (scaling - 1)) === 0;
  if (!powerOfTwo) {
    throw badRequest(
      `level KV store option "scaling_factor" must be a power of two in 1..256, got ${JSON.stringify(scaling)}`,
      {
        option: 'scaling_factor',
        value: scaling,
      },
    );
  }
  if (typeof cache !== 'number' || !Number.isSafeInteger(cache) || cache < 0) {
    throw badRequest(
      `level KV store option "cache_size" must be a non-negative integer of bytes, got ${JSON.stringify(cache)}`,
      {
        option: 'cache_size',
        value: cache,
      },
    );
  }
  if (typeof sync !== 'boolean') {
    throw badRequest(`level KV store option "sync" must be a boolean, got ${JSON.stringify(sync)}`, {
      option: 'sync',
      value: sync,
    });
  }
  return { path, scalingFactor: scaling, cacheSize: cache, sync };
}
