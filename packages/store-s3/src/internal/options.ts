import { assertKnownOptions, badRequest, booleanOption, choiceOption, numberOption, stringOption } from '@depot/core';

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

export { assertKnownOptions, booleanOption, choiceOption, numberOption, stringOption };
