import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

/**
 * The `yaml` package, loaded on first use rather than at start-up (it is ~2.4 MB resident and a
 * server without Helm repositories never needs it). Its CommonJS build loads synchronously, so
 * callers stay synchronous.
 */
export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
