import type { DepotConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';
import type { InstalledPlugins } from './installed.js';
import { emptyPluginSet, type PluginSet, registerPlugin } from './register-plugin.js';
import { importModule, resolvePluginModule } from './resolve-module.js';

/** A format's options table and where in the config it was written (for error messages). */
export interface FormatOptionsEntry {
  readonly options: Readonly<Record<string, unknown>>;
  /** `formats.<name>` or `plugins[<i>].options`. */
  readonly source: string;
}

/** Every plugin of this start: built-ins plus `[[plugins]]`, with each format's options. */
export interface LoadedPlugins extends InstalledPlugins {
  /** The options handed to each format's `create`, by format name (absent: `{}`). */
  readonly formatOptions: ReadonlyMap<string, FormatOptionsEntry>;
  /** Where each plugin came from, keyed `format:<name>`, `blob-store:<type>`, `kv-store:<type>`. */
  readonly origins: ReadonlyMap<string, string>;
}

/** True when `plugins` already went through {@link loadPlugins}. */
export function isLoaded(plugins: InstalledPlugins): plugins is LoadedPlugins {
  return 'formatOptions' in plugins;
}

async function loadEntry(
  set: PluginSet,
  entry: DepotConfig['plugins'][number],
  index: number,
  baseDir: string,
): Promise<string | undefined> {
  const where = `plugins[${index}] (package "${entry.package}")`;
  let file: string | undefined;
  let exports: Record<string, unknown>;
  try {
    file = resolvePluginModule(entry.package, baseDir);
    if (file === undefined) {
      throw new ConfigError(
        `${where}: not found (looked in node_modules from ${baseDir} upwards and beside the depot installation)`,
      );
    }
    exports = await importModule(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${where}: could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!('depotPlugin' in exports)) throw new ConfigError(`${where}: the module has no "depotPlugin" export`);
  const before = set.formats.length;
  registerPlugin(set, exports.depotPlugin, `package "${entry.package}"`);
  const format = set.formats.length > before ? set.formats[set.formats.length - 1] : undefined;
  if (format === undefined && entry.options !== undefined) {
    throw new ConfigError(
      `${where}: store plugins take their options from [kv_store] or the store record, not [[plugins]] options`,
    );
  }
  return format?.name;
}

/**
 * Registers the built-in plugins, then imports every `[[plugins]]` entry (resolved from `baseDir`,
 * the config file's directory) and registers its `depotPlugin`; then pairs each format with its
 * options (`[[plugins]] options` or `[formats.<name>]`). Anything wrong is a {@link ConfigError}:
 * a broken plugin stops startup, it is never skipped.
 */
export async function loadPlugins(
  config: Pick<DepotConfig, 'plugins' | 'formats'>,
  builtIns: InstalledPlugins,
  baseDir: string,
): Promise<LoadedPlugins> {
  const set = emptyPluginSet();
  for (const manifest of [...builtIns.formats, ...builtIns.blobStores, ...builtIns.kvStores]) {
    registerPlugin(set, manifest, 'built in');
  }
  const formatOptions = new Map<string, FormatOptionsEntry>();
  for (const [index, entry] of config.plugins.entries()) {
    const formatName = await loadEntry(set, entry, index, baseDir);
    if (formatName !== undefined && entry.options !== undefined)
      formatOptions.set(formatName, { options: entry.options, source: `plugins[${index}].options` });
  }
  const installed = set.formats.map((f) => f.name);
  for (const [name, options] of Object.entries(config.formats)) {
    if (!installed.includes(name)) {
      throw new ConfigError(
        `formats.${name}: no format plugin "${name}" is installed (installed: ${installed.join(', ')})`,
      );
    }
    if (formatOptions.has(name)) {
      throw new ConfigError(`formats.${name}: options for "${name}" are already given in its [[plugins]] entry`);
    }
    formatOptions.set(name, { options, source: `formats.${name}` });
  }
  return { ...set, formatOptions, origins: set.origins };
}
