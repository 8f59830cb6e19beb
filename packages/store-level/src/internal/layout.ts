import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { badRequest, DepotError } from '@depot/core';

/** Marker recording how a store directory was created; the shard layout cannot change later. */
interface LayoutMarker {
  readonly format: 1;
  readonly scaling_factor: number;
  readonly hash: 'fnv1a32';
}

const MARKER = 'depot-kv.json';

/** Directory of shard `index`: `<path>/shard-NN` (two digits, three from 100 on). */
export const shardDir = (path: string, index: number): string => join(path, `shard-${String(index).padStart(2, '0')}`);

/**
 * Creates `path` and its marker, or checks the marker of an existing store: reopening with another
 * `scaling_factor` would send keys to the wrong shards, so it is refused.
 */
export async function ensureLayout(path: string, scalingFactor: number): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
    const markerPath = join(path, MARKER);
    let existing: string | undefined;
    try {
      existing = await readFile(markerPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (existing === undefined) {
      const marker: LayoutMarker = { format: 1, scaling_factor: scalingFactor, hash: 'fnv1a32' };
      await writeFile(markerPath, `${JSON.stringify(marker)}\n`, { flag: 'wx' });
      return;
    }
    const marker = JSON.parse(existing) as Partial<LayoutMarker>;
    if (marker.scaling_factor !== scalingFactor) {
      throw badRequest(
        `level KV store at ${path} was created with scaling_factor ${String(marker.scaling_factor)}; "scaling_factor" ${scalingFactor} cannot open it`,
        { option: 'scaling_factor', value: scalingFactor },
      );
    }
  } catch (err) {
    if (err instanceof DepotError) throw err;
    throw new DepotError('STORAGE_ERROR', `cannot prepare level KV store directory ${path}`, { cause: err });
  }
}
