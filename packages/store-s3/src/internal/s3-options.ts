import { badRequest } from '@depot/core';
import {
  AWS_CONNECTION_KEYS,
  type AwsConnectionOptions,
  assertKnownOptions,
  awsConnectionOptions,
  booleanOption,
  numberOption,
  stringOption,
} from './options.js';

const PLUGIN = 's3 blob store';
const MIB = 1024 * 1024;

/** The option keys of an `s3` store record. */
export const S3_OPTION_KEYS = [
  'bucket',
  'prefix',
  'force_path_style',
  'part_size_mib',
  'upload_concurrency',
  'create_bucket',
  ...AWS_CONNECTION_KEYS,
] as const;

/** Validated options of the S3 blob store. */
export interface ResolvedS3Options {
  readonly bucket: string;
  /** Key prefix, empty or ending in `/`. */
  readonly prefix: string;
  readonly forcePathStyle: boolean;
  readonly partSize: number;
  readonly concurrency: number;
  readonly createBucket: boolean;
  readonly connection: AwsConnectionOptions;
}

/** Validates an `s3` store record's options: unknown keys and bad values are `BAD_REQUEST` naming the key. */
export function resolveS3Options(options: Readonly<Record<string, unknown>>): ResolvedS3Options {
  assertKnownOptions(options, S3_OPTION_KEYS, PLUGIN);
  const bucket = stringOption(options, 'bucket', PLUGIN);
  if (bucket === undefined) throw badRequest(`${PLUGIN}: option "bucket" is required`, { option: 'bucket' });
  let prefix = options.prefix === '' ? '' : (stringOption(options, 'prefix', PLUGIN) ?? '');
  if (prefix.startsWith('/')) {
    throw badRequest(`${PLUGIN}: option "prefix" must not start with "/"`, { option: 'prefix' });
  }
  if (prefix !== '' && !prefix.endsWith('/')) prefix = `${prefix}/`;
  return {
    bucket,
    prefix,
    forcePathStyle: booleanOption(options, 'force_path_style', PLUGIN) ?? false,
    partSize: (numberOption(options, 'part_size_mib', PLUGIN, { min: 5, max: 5120, integer: true }) ?? 8) * MIB,
    concurrency: numberOption(options, 'upload_concurrency', PLUGIN, { min: 1, max: 64, integer: true }) ?? 4,
    createBucket: booleanOption(options, 'create_bucket', PLUGIN) ?? false,
    connection: awsConnectionOptions(options, PLUGIN, { readTimeoutSecs: 30 }),
  };
}
