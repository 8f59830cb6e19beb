import {
  type BlobStorePluginManifest,
  DEPOT_PLUGIN_API_VERSION,
  type FormatPluginManifest,
  type KvStorePluginManifest,
} from '@depot/core';
import { ConfigError } from '../config/load-config.js';

/** The plugins registered so far, with where each came from (for error messages). */
export interface PluginSet {
  readonly formats: FormatPluginManifest[];
  readonly blobStores: BlobStorePluginManifest[];
  readonly kvStores: KvStorePluginManifest[];
  /** `format:<name>`, `blob-store:<type>`, `kv-store:<type>` → origin (`built in` or `package "x"`). */
  readonly origins: Map<string, string>;
}

/** An empty {@link PluginSet}. */
export function emptyPluginSet(): PluginSet {
  return { formats: [], blobStores: [], kvStores: [], origins: new Map() };
}

const KINDS = ['format', 'blob-store', 'kv-store'] as const;

function field(manifest: Record<string, unknown>, key: string, what: string): string {
  const value = manifest[key];
  if (typeof value !== 'string' || value.length === 0) throw new Error(`its "${key}" must name the ${what}`);
  return value;
}

function method(manifest: Record<string, unknown>, key: string): void {
  if (typeof manifest[key] !== 'function') throw new Error(`its "${key}" is not a function`);
}

/**
 * Checks one `depotPlugin` manifest and adds it to `set`. Built-ins and `[[plugins]]` go through
 * here alike: the kind must be known, `apiVersion` must be the server's, and a format name or store
 * type may be registered once. Every problem is a {@link ConfigError} naming `origin`.
 */
export function registerPlugin(set: PluginSet, candidate: unknown, origin: string): void {
  const fail = (why: string): never => {
    throw new ConfigError(`plugin ${origin}: ${why}`);
  };
  if (typeof candidate !== 'object' || candidate === null) fail('its "depotPlugin" export is not an object');
  const manifest = candidate as Record<string, unknown>;
  const kind = manifest.kind;
  if (!KINDS.includes(kind as (typeof KINDS)[number])) {
    fail(`unknown kind ${JSON.stringify(kind)} (expected one of ${KINDS.join(', ')})`);
  }
  if (manifest.apiVersion !== DEPOT_PLUGIN_API_VERSION) {
    fail(
      `it was built for plugin API version ${JSON.stringify(manifest.apiVersion)}, ` +
        `this depot supports version ${DEPOT_PLUGIN_API_VERSION}`,
    );
  }
  try {
    const key =
      kind === 'format'
        ? `format:${field(manifest, 'name', 'format')}`
        : `${kind as string}:${field(manifest, 'storeType', 'store type')}`;
    method(manifest, kind === 'kv-store' ? 'open' : 'create');
    const taken = set.origins.get(key);
    if (taken !== undefined) throw new Error(`${key.replace(':', ' "')}" is already provided (${taken})`);
    set.origins.set(key, origin);
    if (kind === 'format') set.formats.push(manifest as unknown as FormatPluginManifest);
    else if (kind === 'blob-store') set.blobStores.push(manifest as unknown as BlobStorePluginManifest);
    else set.kvStores.push(manifest as unknown as KvStorePluginManifest);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    fail(err instanceof Error ? err.message : String(err));
  }
}
