import type { Format, FormatContext, FormatPluginManifest, FormatRuntime, FormatWorker, Logger } from '@depot/core';

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
  /** Builds every runtime. */
  init(context: FormatContext): Promise<void>;
  /** The background workers every initialised runtime declares, with the format's name. */
  workers(): { readonly format: string; readonly worker: FormatWorker }[];
  close(): Promise<void>;
}

/** Creates the format definitions from `manifests`; a broken or duplicate plugin fails startup. */
export function createFormatHost(manifests: readonly FormatPluginManifest[], logger: Logger): FormatHost {
  const definitions = new Map<string, Format>();
  for (const manifest of manifests) {
    if (manifest.kind !== 'format' || manifest.apiVersion !== 1) {
      throw new Error(
        `format plugin "${manifest.name}" has an unsupported manifest (kind ${manifest.kind}, api ${manifest.apiVersion})`,
      );
    }
    const format = manifest.create();
    if (definitions.has(format.name)) throw new Error(`two format plugins are named "${format.name}"`);
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
    async init(context) {
      for (const format of definitions.values()) {
        const runtime = await format.init({ ...context, logger: context.logger.child({ format: format.name }) });
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
