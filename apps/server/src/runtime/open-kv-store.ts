import type { KvStore, KvStorePluginManifest, Logger } from '@depot/core';
import type { DepotConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';

/**
 * Opens the `[kv_store]` through the KV store plugin whose `storeType` is its `type`; the other keys
 * are that plugin's options, validated by it. Unknown types and refused options are
 * {@link ConfigError}s naming `kv_store.<key>`; a store that cannot open (locked, unreachable) is
 * not a configuration problem and propagates as is.
 */
export async function openKvStore(
  table: DepotConfig['kv_store'],
  manifests: readonly KvStorePluginManifest[],
  logger: Logger,
): Promise<KvStore> {
  const { type, ...options } = table;
  const manifest = manifests.find((m) => m.storeType === type);
  if (manifest === undefined) {
    throw new ConfigError(
      `kv_store.type: no KV store plugin "${type}" is installed (installed: ${manifests.map((m) => m.storeType).join(', ')})`,
    );
  }
  try {
    return await manifest.open(options, { logger });
  } catch (err) {
    const e = err as { code?: unknown; details?: { option?: unknown }; message?: unknown };
    if (e?.code !== 'BAD_REQUEST') throw err;
    const option = typeof e.details?.option === 'string' ? `.${e.details.option}` : '';
    throw new ConfigError(`kv_store${option}: ${String(e.message)}`);
  }
}
