import type { AccessRule, FormatRequest } from '@depot/core';

/**
 * The npm routes whose access differs from core's default (`read` for GET/HEAD, `delete` for
 * DELETE, `write` for the rest on the repository):
 * - `PUT /-/user/org.couchdb.user:{name}` (npm login) is public: the body carries the credentials
 *   and the route verifies them itself;
 * - `DELETE /-/package/{name}/dist-tags/{tag}` (npm dist-tag rm) changes a tag and deletes no
 *   artifact, so it needs `write`.
 * Publish (`PUT /{name}`), unpublish and `?write=true` reads keep the default; their handlers
 * check more where needed (removing versions needs `delete`).
 */
export function npmAccess(req: FormatRequest): AccessRule | undefined {
  if (!req.path.startsWith('-/')) return undefined;
  const [, kind] = req.path.split('/');
  if (kind === 'user' && req.method === 'PUT') return 'public';
  if (kind === 'package' && req.method === 'DELETE') return 'write';
  return undefined;
}
