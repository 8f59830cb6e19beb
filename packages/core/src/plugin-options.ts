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

/** Reads an optional string option; `BAD_REQUEST` naming the key when it is not a non-empty string. */
export function stringOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
  plugin: string,
): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest(`${plugin}: option "${key}" must be a non-empty string`, { option: key });
  }
  return value;
}

/** Reads an optional boolean option; `BAD_REQUEST` naming the key otherwise. */
export function booleanOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
  plugin: string,
): boolean | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw badRequest(`${plugin}: option "${key}" must be true or false, got ${JSON.stringify(value)}`, { option: key });
  }
  return value;
}

/** Reads an optional number within `[min, max]` (integers only when `integer`); `BAD_REQUEST` naming the key otherwise. */
export function numberOption(
  options: Readonly<Record<string, unknown>>,
  key: string,
  plugin: string,
  bounds: { readonly min: number; readonly max: number; readonly integer?: boolean },
): number | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  const integerOk = bounds.integer !== true || Number.isInteger(value);
  if (typeof value !== 'number' || !Number.isFinite(value) || !integerOk || value < bounds.min || value > bounds.max) {
    const kind = bounds.integer === true ? 'an integer' : 'a number';
    throw badRequest(
      `${plugin}: option "${key}" must be ${kind} in ${bounds.min}..${bounds.max}, got ${JSON.stringify(value)}`,
      { option: key, value },
    );
  }
  return value;
}

/** Reads an optional option that must be one of `choices`. */
export function choiceOption<T extends string>(
  options: Readonly<Record<string, unknown>>,
  key: string,
  plugin: string,
  choices: readonly T[],
): T | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw badRequest(`${plugin}: option "${key}" must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`, {
      option: key,
    });
  }
  return value as T;
}
