import { AsyncLocalStorage } from 'node:async_hooks';
import { DepotError } from '../errors/depot-error.js';
import { type Principal, type RepoAction, SYSTEM_PRINCIPAL } from './principal.js';

const scope = new AsyncLocalStorage<Principal>();

/**
 * Runs `work` on behalf of `principal`: every call the shared repository engine receives while it
 * runs (including from callbacks and promises it starts) resolves proxy members as that principal.
 * The server wraps each artifact request in it, so a format cannot forget to scope its engine.
 */
export function runAsPrincipal<T>(principal: Principal, work: () => T): T {
  return scope.run(principal, work);
}

/** The principal of the enclosing {@link runAsPrincipal}; {@link SYSTEM_PRINCIPAL} outside any. */
export function currentPrincipal(): Principal {
  return scope.getStore() ?? SYSTEM_PRINCIPAL;
}

/**
 * The refusal for a principal lacking `action` on `repo`: `UNAUTHORIZED` for anonymous callers (so
 * clients retry with credentials), `FORBIDDEN` otherwise. `details` carries the action and repository.
 */
export function accessDenied(principal: Principal, action: RepoAction, repo: string): DepotError {
  const details = { action, repo };
  if (principal.anonymous) return new DepotError('UNAUTHORIZED', 'authentication required', { details });
  return new DepotError('FORBIDDEN', `${action} access to repository ${repo} denied`, { details });
}
