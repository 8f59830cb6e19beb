import { DepotError, type FormatRequest, type RepoAction } from '@depot/core';

/**
 * Refuses the request unless its principal may `action` on the repository: 401 for anonymous
 * callers (so clients retry with credentials), 403 otherwise. The server checks too; a format must
 * be safe on its own.
 */
export function requireAccess(req: FormatRequest, action: RepoAction): void {
  if (req.principal.can(action, req.repo.name)) return;
  if (req.principal.anonymous) throw new DepotError('UNAUTHORIZED', 'authentication required');
  throw new DepotError('FORBIDDEN', `${action} access to repository ${req.repo.name} denied`);
}
