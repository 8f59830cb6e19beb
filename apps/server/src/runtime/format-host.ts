import {
  createFormatContext,
  type Format,
  type FormatHostServices,
  type FormatPluginManifest,
  type FormatRuntime,
  type FormatWorker,
  type Logger,
} from '@depot/core';
import { ConfigError } from '../config/load-config.js';
import type { FormatOptionsEntry } from '../plugins/load-plugins.js';

/** One installed format and its runtime. */
export interface LoadedFormat {
  readonly format: Format;
  readonly runtime: FormatRuntime;
}

/** The installed formats, created from their manifests and initialised once at startup. */
export interface FormatHost {
  /** Format definitions by name (for validation before runtimes exist). */
  readonly definitions: ReadonlyMap<string, Format>;
  get(name: string): LoadedFormat | undefined;
  /** The format serving the URL prefix `path` starts with (e.g. `/v2`), if any. */
  mountFor(path: string): { prefix: string; loaded: LoadedFormat } | undefined;
  /** Builds every runtime, each with its own narrow context (its KV namespace, no user records). */
  init(services: FormatHostServices): Promise<void>;
  /** The background workers every initialised runtime declares, with the format's name. */
  workers(): { readonly format: string; readonly worker: FormatWorker }[];
  close(): Promise<void>;
}

/** The config key a plugin's `create` refused: `<source>.<option>` when it named the option. */
function refusedKey(err: unknown, source: string): string {
  // Duck-typed: a plugin may carry its own copy of @depot/core, so `instanceof` is not enough.
  const option =
    typeof err === 'object' && err !== null ? (err as { details?: { option?: unknown } }).details?.option : undefined;
  return typeof option === 'string' ? `${source}.${option}` : source;
}

/**
 * Creates the format definitions from `manifests`, handing each `create` its options table from
 * `options` (by manifest name; `{}` when absent). A plugin refusing its options fails startup with a
 * {@link ConfigError} naming the config key and the format.
 */
export function createFormatHost(
  manifests: readonly FormatPluginManifest[],
  logger: Logger,
  options: ReadonlyMap<string, FormatOptionsEntry> = new Map(),
): FormatHost {
  const definitions = new Map<string, Format>();
  for (const manifest of manifests) {
    const entry = options.get(manifest.name) ?? { options: {}, source: `formats.${manifest.name}` };
    let format: Format;
    try {
      format = manifest.create(entry.options);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ConfigError(
        `${refusedKey(err, entry.source)}: format "${manifest.name}" refused its options: ${message}`,
      );
    }
    if (definitions.has(format.name)) throw new ConfigError(`two format plugins are named "${format.name}"`);
    definitions.set(format.name, format);
  }
  const loaded = new Map<string, LoadedFormat>();
  const mounts: { prefix: string; name: string }[] = [];
  for (const format of definitions.values()) {
    for (const prefix of format.capabilities.mounts ?? [])
      mounts.push({ prefix: prefix.replace(/\/+$/, ''), name: format.name });
  }
  return {
    definitions,
    get: (name) => loaded.get(name),
    mountFor(path) {
      for (const m of mounts) {
        if (path === m.prefix || path.startsWith(`${m.prefix}/`)) {
          const entry = loaded.get(m.name);
          if (entry !== undefined) return { prefix: m.prefix, loaded: entry };
        }
      }
      return undefined;
    },
    async init(services) {
      for (const format of definitions.values()) {
        const runtime = await format.init(createFormatContext(services, format));
        loaded.set(format.name, { format, runtime });
      }
    },
    workers() {
      return [...loaded].flatMap(([format, entry]) =>
        (entry.runtime.workers ?? []).map((worker) => ({ format, worker })),
      );
    },
    async close() {
      for (const [name, entry] of loaded) {
        try {
          await entry.runtime.close?.();
        } catch (err) {
          logger.warn({ err, format: name }, 'closing format failed');
        }
      }
      loaded.clear();
    },
  };
}
