import { type FormatRequest, type FormatResponse, notFound, requireRepoAccess } from '@depot/core';
import type { GoEnv } from './env.js';
import { goRepoOptions } from './options.js';
import { SUMDB_PREFIX } from './paths.js';

/**
 * `GET sumdb/{name}/supported|latest|lookup/…|tile/…`: a cache repository with `sumdb_url`
 * passes these through to that checksum database (lookups and tiles kept for good, `latest`
 * revalidated per TTL); anything else is 404, and the go command then asks the database directly.
 */
export async function getSumdb(env: GoEnv, req: FormatRequest): Promise<FormatResponse> {
  requireRepoAccess(req, 'read');
  const options = goRepoOptions(req.repo);
  const rest = req.path.slice(SUMDB_PREFIX.length);
  const name = `${options.sumdb_name}/`;
  if (req.repo.repo_type !== 'cache' || options.sumdb_url === undefined || !rest.startsWith(name)) {
    throw notFound('this repository does not proxy that checksum database');
  }
  const sub = rest.slice(name.length);
  if (sub === 'supported') return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' };
  if (
    !/^(latest|lookup\/[^\s]+|tile\/[0-9]+\/[0-9]+(\/x[0-9]{3})*\/[0-9]{3}(\.p\/[0-9]+)?|tile\/[0-9]+\/data(\/x[0-9]{3})*\/[0-9]{3}(\.p\/[0-9]+)?)$/.test(
      sub,
    )
  ) {
    throw notFound(`no such checksum database path: ${sub}`);
  }
  const read = await env.engine.get(req.repo.name, req.path, { signal: req.signal });
  if (read === null) throw notFound(`checksum database has no ${sub}`);
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(read.record.size) },
    body: req.method === 'HEAD' ? null : read.body,
  };
}
