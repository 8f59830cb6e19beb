import { DepotError } from '../errors/depot-error.js';
import type { Principal, RepoAction } from './principal.js';

/**
 * The refusal for a principal lacking `action` on `repo`: `UNAUTHORIZED` for anonymous callers (so
 * clients retry with credentials), `FORBIDDEN` otherwise. `details` carries the action and repository.
 */
export function accessDenied(principal: Principal, action: RepoAction, repo: string): DepotError {
  const details = { action, repo };
  if (principal.anonymous) return new DepotError('UNAUTHORIZED', 'authentication required', { details });
  return new DepotError('FORBIDDEN', `${action} access to repository ${repo} denied`, { details });
}
