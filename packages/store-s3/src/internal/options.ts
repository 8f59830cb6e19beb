import { assertKnownOptions, badRequest } from '@depot/core';

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

/** The connection options both AWS stores share, validated. */
export interface AwsConnectionOptions {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly credentials:
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
    | undefined;
  readonly maxRetries: number;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly retryMode: 'standard' | 'adaptive';
}

/** The option keys {@link awsConnectionOptions} reads. */
export const AWS_CONNECTION_KEYS = [
  'endpoint',
  'region',
  'access_key_id',
  'secret_access_key',
  'session_token',
  'max_retries',
  'connect_timeout_secs',
  'read_timeout_secs',
  'retry_mode',
] as const;

/** Validates the shared connection keys (credentials both or neither; else the SDK's default chain). */
export function awsConnectionOptions(
  options: Readonly<Record<string, unknown>>,
  plugin: string,
  defaults: { readonly readTimeoutSecs: number },
): AwsConnectionOptions {
  const endpoint = stringOption(options, 'endpoint', plugin);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw badRequest(`${plugin}: option "endpoint" must be an http(s) URL, got ${JSON.stringify(endpoint)}`, {
      option: 'endpoint',
    });
  }
  const accessKeyId = stringOption(options, 'access_key_id', plugin);
  const secretAccessKey = stringOption(options, 'secret_access_key', plugin);
  const sessionToken = stringOption(options, 'session_token', plugin);
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? 'access_key_id' : 'secret_access_key';
    throw badRequest(`${plugin}: access_key_id and secret_access_key go together; "${missing}" is missing`, {
      option: missing,
    });
  }
  if (sessionToken !== undefined && accessKeyId === undefined) {
    throw badRequest(`${plugin}: session_token needs access_key_id and secret_access_key`, { option: 'session_token' });
  }
  return {
    endpoint,
    region: stringOption(options, 'region', plugin) ?? 'us-east-1',
    credentials:
      accessKeyId !== undefined && secretAccessKey !== undefined
        ? { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
        : undefined,
    maxRetries: numberOption(options, 'max_retries', plugin, { min: 0, max: 20, integer: true }) ?? 3,
    connectTimeoutMs: (numberOption(options, 'connect_timeout_secs', plugin, { min: 0.001, max: 600 }) ?? 3) * 1000,
    readTimeoutMs:
      (numberOption(options, 'read_timeout_secs', plugin, { min: 0.001, max: 3600 }) ?? defaults.readTimeoutSecs) *
      1000,
    retryMode: choiceOption(options, 'retry_mode', plugin, ['standard', 'adaptive'] as const) ?? 'standard',
  };
}

export { assertKnownOptions };
