import { accessDenied, type FormatRequest, type RepoAction } from '@depot/core';

/**
 * Refuses the request unless its principal may `action` on the repository: 401 for anonymous
 * callers (so clients retry with credentials), 403 otherwise. The server checks too; a format must
 * be safe on its own. Members behind a proxy are checked by the engine (it acts as the caller).
 */
export function requireAccess(req: FormatRequest, action: RepoAction): void {
  if (!req.principal.can(action, req.repo.name)) throw accessDenied(req.principal, action, req.repo.name);
}
