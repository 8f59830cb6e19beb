import { badRequest } from '@depot/core';

/** Validated options of the file store, with defaults applied. */
export interface ResolvedFsOptions {
  readonly root: string;
  readonly sync: boolean;
  /** Write buffer / read high-water mark, in bytes. */
  readonly ioBytes: number;
  readonly directIo: boolean;
}

const KNOWN = new Set(['root', 'sync', 'io_size', 'direct_io']);

/** Default `io_size`: 1024 KiB. */
export const DEFAULT_IO_SIZE_KIB = 1024;

const boolOption = (raw: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean => {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'boolean') {
    throw badRequest(`file blob store option "${key}" must be a boolean, got ${JSON.stringify(value)}`, {
      option: key,
      value,
    });
  }
  return value;
};

/** Validates raw store options; every failure is `BAD_REQUEST` naming the key. */
export function resolveFsOptions(raw: Readonly<Record<string, unknown>>): ResolvedFsOptions {
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) throw badRequest(`unknown file blob store option "${key}"`, { option: key });
  }
  const { root } = raw;
  if (typeof root !== 'string' || root.length === 0) {
    throw badRequest('file blob store option "root" is required (a directory)', { option: 'root' });
  }
  const ioSize = raw.io_size ?? DEFAULT_IO_SIZE_KIB;
  if (typeof ioSize !== 'number' || !Number.isInteger(ioSize) || ioSize < 4 || ioSize > 65536) {
    throw badRequest(
      `file blob store option "io_size" must be an integer of KiB in 4..65536, got ${JSON.stringify(ioSize)}`,
      {
        option: 'io_size',
        value: ioSize,
      },
    );
  }
  return {
    root,
    sync: boolOption(raw, 'sync', true),
    ioBytes: ioSize * 1024,
    directIo: boolOption(raw, 'direct_io', false),
  };
}
