import { type FormatRequest, type FormatResponse, notFound, requestWriteTarget } from '@depot/core';
import type { GoEnv } from './env.js';
import { jsonResponse } from './errors.js';
import { encodeCase } from './module-path.js';
import { filePath, type GoPath } from './paths.js';

/**
 * `DELETE {module}/@v/{version}.{info,mod,zip}`: removes the whole version from the hosted
 * repository (or a proxy's write member). `.info` goes first, so the version leaves `list` and
 * `@latest` before its files do; a crash in between leaves unlisted files, never a listed version
 * without them. 200 with `{module, version, deleted}`; `NOT_FOUND` when the version is not there.
 */
export async function deleteVersion(
  env: GoEnv,
  req: FormatRequest,
  path: Extract<GoPath, { kind: 'file' }>,
): Promise<FormatResponse> {
  const target = await requestWriteTarget(req, 'delete');
  const version = encodeCase(path.version);
  const deleted: string[] = [];
  for (const ext of ['info', 'mod', 'zip']) {
    const stored = filePath(path.encoded, version, ext);
    if ((await env.engine.stat(target.name, stored)) === null) continue;
    await env.engine.delete(target.name, stored);
    deleted.push(stored);
  }
  if (deleted.length > 0) await env.summaries.markStale(target.name, path.encoded);
  if (deleted.length === 0) throw notFound(`${path.module}@${path.version} is not in ${target.name}`);
  return jsonResponse(200, { module: path.module, version: path.version, deleted });
}
