import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { configSchema, type DepotConfig } from './config-schema.js';

/** A configuration problem: the CLI prints `message` and exits with code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Renders zod issues as `key.path: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string {
  return issues
    .flatMap((issue) => {
      const base = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => `${base === '' ? k : `${base}.${k}`}: unknown key`);
      }
      return [`${base === '' ? '(root)' : base}: ${issue.message}`];
    })
    .join('\n');
}

/** Parses and validates TOML text; throws {@link ConfigError} naming every bad key. */
export function parseConfig(text: string, source: string): DepotConfig {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    throw new ConfigError(`${source}: invalid TOML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${source}: invalid configuration\n${formatIssues(result.error.issues)}`);
  const config = result.data;
  if (config.http === undefined && config.https === undefined) return { ...config, http: { listen: '0.0.0.0:8080' } };
  return config;
}

/**
 * Loads the configuration: `-c FILE` (must exist), else `./depot.toml` when present, else the
 * defaults (HTTP on 0.0.0.0:8080, LevelDB under ./depot-data/kv).
 */
export function loadConfig(file: string | undefined): { config: DepotConfig; source: string } {
  if (file !== undefined) {
    if (!existsSync(file)) throw new ConfigError(`${file}: config file not found`);
    return { config: parseConfig(readFileSync(file, 'utf8'), file), source: file };
  }
  if (existsSync('depot.toml'))
    return { config: parseConfig(readFileSync('depot.toml', 'utf8'), 'depot.toml'), source: 'depot.toml' };
  return { config: parseConfig('', 'defaults'), source: 'defaults' };
}
