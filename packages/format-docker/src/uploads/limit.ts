import type { HeaderMap } from '@depot/core';
import type { DockerDeps } from '../deps.js';

/** The `max_artifact_bytes` setting: the most bytes one blob (and one upload session) may hold. */
export function maxBlobBytes(deps: DockerDeps): number {
  const max = deps.ctx.settings().max_artifact_bytes;
  return typeof max === 'number' && max > 0 ? max : Number.MAX_SAFE_INTEGER;
}

/**
 * The byte count a request announces (`Content-Length`), or `null` when it streams without one.
 * Lets an upload that would pass the limit be refused before a byte is read.
 */
export function declaredLength(headers: HeaderMap): number | null {
  const value = headers['content-length'];
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}
