import { badRequest } from './errors/depot-error.js';

/**
 * Checks a plugin's options table (from `[formats.<name>]`, `[[plugins]] options`, `[kv_store]` or
 * a store record) against the keys the plugin knows: an unknown key throws `BAD_REQUEST` naming it
 * (`details.option`), so a typo stops startup instead of being ignored.
 */
export function assertKnownOptions(
  options: Readonly<Record<string, unknown>>,
  known: readonly string[],
  plugin: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const allowed = known.length === 0 ? 'it takes no options' : `known: ${known.join(', ')}`;
      throw badRequest(`${plugin}: unknown option "${key}" (${allowed})`, { option: key });
    }
  }
}

/**
 * Reads an optional positive integer option; `BAD_REQUEST` naming the key when it is anything
 * else (a string, a fraction, zero, a negative or unsafe number).
 */
export function positiveIntegerOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
  plugin: string,
): number | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw badRequest(`${plugin}: option "${key}" must be a positive integer, got ${JSON.stringify(value)}`, {
      option: key,
      value,
    });
  }
  return value;
}
